// A grid of digits drawn on canvases, one cell per digit, each carrying
// machine-readable data-index / data-label / data-angle attributes.

const INK = [241, 245, 249];
const PAPER = [15, 23, 42];

export class DigitGrid {
  constructor(container, { rows, cols }) {
    this.container = container;
    this.rows = rows;
    this.cols = cols;
    this.cells = [];
    this.renders = 0;
  }

  // Rebuilds the cells for `indices` with their labels.
  layout(indices, labels) {
    this.container.replaceChildren();
    this.cells = indices.map((index) => {
      const figure = document.createElement('figure');
      figure.className = 'cell';
      figure.dataset.index = String(index);
      figure.dataset.label = String(labels[index]);
      const canvas = document.createElement('canvas');
      canvas.width = this.cols;
      canvas.height = this.rows;
      const caption = document.createElement('figcaption');
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = String(labels[index]);
      const angle = document.createElement('span');
      angle.className = 'angle';
      const pred = document.createElement('span');
      pred.className = 'pred';
      caption.append(label, angle);
      figure.append(canvas, caption, pred);
      this.container.append(figure);
      return { figure, canvas, angle, pred, label: labels[index], index };
    });
  }

  // After a run: each cell's target · ticket predictions (arrays over all
  // the run's test digits; cells beyond them show none).
  predict(target, ticket) {
    for (const cell of this.cells) {
      const known = target && cell.index < target.length;
      cell.figure.classList.toggle('disagree', !!known && target[cell.index] !== ticket[cell.index]);
      cell.figure.classList.toggle('wrong', !!known && target[cell.index] !== cell.label);
      cell.pred.textContent = known ? `${target[cell.index]} · ${ticket[cell.index]}` : '';
      cell.pred.title = known ? `target predicts ${target[cell.index]}, ticket predicts ${ticket[cell.index]}` : '';
    }
  }

  // Draws `pixels` (values in [0, 1], one rows×cols image per cell) and
  // shows each cell's total angle in degrees.
  draw(pixels, anglesDeg) {
    const n = this.rows * this.cols;
    this.cells.forEach((cell, k) => {
      const ctx = cell.canvas.getContext('2d');
      const image = ctx.createImageData(this.cols, this.rows);
      for (let i = 0; i < n; i++) {
        const v = Math.min(1, Math.max(0, pixels[k * n + i]));
        image.data[4 * i] = PAPER[0] + v * (INK[0] - PAPER[0]);
        image.data[4 * i + 1] = PAPER[1] + v * (INK[1] - PAPER[1]);
        image.data[4 * i + 2] = PAPER[2] + v * (INK[2] - PAPER[2]);
        image.data[4 * i + 3] = 255;
      }
      ctx.putImageData(image, 0, 0);
      const deg = anglesDeg[k].toFixed(0);
      cell.figure.dataset.angle = deg;
      cell.angle.textContent = `${deg}°`;
      cell.canvas.setAttribute('aria-label', `digit ${cell.label} rotated ${deg}°`);
    });
    this.renders += 1;
    this.container.dataset.rendered = String(this.renders);
  }
}

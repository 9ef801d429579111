// Small images on canvases: digits (grayscale), kernels (diverging
// blue–white–red around 0) and feature maps (grayscale, shared scale).
// Canvases hold the image at its own resolution; CSS scales them up with
// `image-rendering: pixelated`.

const PAPER = [15, 23, 42];
const INK = [241, 245, 249];
const NEG = [37, 99, 235];
const POS = [220, 38, 38];
const MID = [248, 250, 252];

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

// Draws `values` (rows × cols, row-major, from `offset`) into `canvas`.
// mode 'gray': v/max in [0, 1] dark→light; 'diverging': −max…max blue→red.
export function drawTile(canvas, values, rows, cols, { mode = 'gray', max = 1, offset = 0 } = {}) {
  if (canvas.width !== cols) canvas.width = cols;
  if (canvas.height !== rows) canvas.height = rows;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(cols, rows);
  const m = max > 0 ? max : 1;
  for (let i = 0; i < rows * cols; i++) {
    const v = values[offset + i];
    let c;
    if (mode === 'diverging') {
      const t = Math.max(-1, Math.min(1, v / m));
      c = t >= 0 ? mix(MID, POS, t) : mix(MID, NEG, -t);
    } else {
      c = mix(PAPER, INK, Math.max(0, Math.min(1, v / m)));
    }
    img.data[4 * i] = c[0];
    img.data[4 * i + 1] = c[1];
    img.data[4 * i + 2] = c[2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export function maxAbs(values, start = 0, end = values.length) {
  let m = 0;
  for (let i = start; i < end; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

// A row of canvases in `container` (reused when the count is unchanged).
export function tiles(container, count, className = 'tile') {
  let list = [...container.querySelectorAll('canvas')];
  if (list.length !== count) {
    container.replaceChildren();
    list = Array.from({ length: count }, () => {
      const c = document.createElement('canvas');
      c.className = className;
      container.append(c);
      return c;
    });
  }
  return list;
}

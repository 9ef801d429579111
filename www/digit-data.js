// Fetches the page's packed test digits and gunzips them in the browser
// (DecompressionStream). Failures name the file and what to do.

const GZIP_MAGIC = [0x1f, 0x8b];

export async function fetchDigits(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch the test digits (${url}): ${e.message}`);
  }
  if (!response.ok) {
    throw new Error(
      `could not load the test digits (${url}): HTTP ${response.status} ${response.statusText}. ` +
        'Build the site with ./build.sh, which fetches and converts MNIST.',
    );
  }
  const raw = new Uint8Array(await response.arrayBuffer());
  // A server may already have undone the gzip (Content-Encoding): accept both.
  if (raw[0] !== GZIP_MAGIC[0] || raw[1] !== GZIP_MAGIC[1]) return raw;
  try {
    const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`the test digits (${url}) are not valid gzip: ${e.message}`);
  }
}

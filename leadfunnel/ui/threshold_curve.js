// The scoring page's volume-vs-recall curve, drawn once per rule set; its marker follows the threshold slider in
// the browser. A slider move changes the slider's own input at once (React Aria), long before the server's rerun
// answers: the marker and the readout read it from there, so they move while the numbers below are recomputed.
// Without the slider (or before it exists) the marker sits at the threshold the server drew it for.
//
// data: {points: [[threshold, crossed, recall or null, readout], …] for every threshold of the slider,
//        threshold, slider_class, x_title, y_title, marker_label (with "{value}"), empty_text, colours, font,
//        height}

const SVG = "http://www.w3.org/2000/svg";
const MARGIN = {left: 62, right: 18, top: 34, bottom: 52};

function element(name, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function niceStep(span, ticks) {
  const raw = Math.max(span, 1) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((s) => s * magnitude).find((s) => s >= raw);
}

export default function (component) {
  const {data, parentElement} = component;
  let root = parentElement.querySelector(".lf-curve");
  if (!root) {
    root = document.createElement("div");
    root.className = "lf-curve";
    parentElement.appendChild(root);
  }
  if (root.cleanup) root.cleanup();  // new data for a mounted curve: the last call's observers go first
  root.style.height = `${data.height}px`;
  root.style.fontFamily = data.font;
  const byThreshold = new Map(data.points.map((p) => [p[0], p]));
  const drawn = data.points.filter((p) => p[2] !== null);
  const topX = Math.max(1, ...drawn.map((p) => p[1]));
  const stepX = Math.max(1, niceStep(topX, 5));  // whole leads: no 0, 0, 1, 1 on a tiny axis
  const maxX = Math.ceil(topX / stepX) * stepX;
  let current = data.threshold;
  let hovered = null;
  let svg = null;
  let marker = null;
  let markerText = null;
  let readout = null;
  let x = null;
  let y = null;

  function draw() {
    root.textContent = "";
    const width = Math.max(root.clientWidth, 240);
    const height = data.height;
    svg = element("svg", {width, height, role: "img", "aria-label": data.y_title}, root);
    const plotWidth = width - MARGIN.left - MARGIN.right;
    const plotHeight = height - MARGIN.top - MARGIN.bottom;
    x = (v) => MARGIN.left + (v / maxX) * plotWidth;
    y = (v) => MARGIN.top + plotHeight - (v / 1.05) * plotHeight;
    for (let v = 0; v <= maxX + 1e-9; v += stepX) {
      element("line", {x1: x(v), x2: x(v), y1: MARGIN.top, y2: MARGIN.top + plotHeight, class: "grid"}, svg);
      element("text", {x: x(v), y: MARGIN.top + plotHeight + 16, class: "tick", "text-anchor": "middle"}, svg)
        .textContent = Math.round(v).toLocaleString("en-US");
    }
    for (let v = 0; v <= 1.0001; v += 0.2) {
      element("line", {x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: y(v), y2: y(v), class: "grid"}, svg);
      element("text", {x: MARGIN.left - 6, y: y(v) + 4, class: "tick", "text-anchor": "end"}, svg)
        .textContent = `${Math.round(v * 100)}%`;
    }
    element("text", {x: MARGIN.left + plotWidth / 2, y: height - 8, class: "title", "text-anchor": "middle"}, svg)
      .textContent = data.x_title;
    element("text", {x: 14, y: MARGIN.top + plotHeight / 2, class: "title", "text-anchor": "middle",
                     transform: `rotate(-90 14 ${MARGIN.top + plotHeight / 2})`}, svg).textContent = data.y_title;
    if (drawn.length) {
      const path = drawn.map((p, i) => `${i ? "L" : "M"}${x(p[1]).toFixed(1)},${y(p[2]).toFixed(1)}`).join("");
      element("path", {d: path, fill: "none", stroke: data.colours.line, "stroke-width": 2}, svg);
    }
    marker = element("path", {d: "M0,-8L8,0L0,8L-8,0Z", fill: data.colours.marker, class: "marker"}, svg);
    markerText = element("text", {class: "marker-label", fill: data.colours.marker}, svg);
    readout = document.createElement("div");
    readout.className = "readout";
    readout.setAttribute("aria-live", "polite");
    root.insertBefore(readout, svg);
    if (!drawn.length) {  // no positives: no recall at any threshold — said over the plot, not an empty grid
      const empty = document.createElement("div");
      empty.className = "empty";
      empty.textContent = data.empty_text;
      Object.assign(empty.style, {left: `${MARGIN.left}px`, width: `${plotWidth}px`,
                                  top: `${readout.offsetHeight + MARGIN.top}px`, height: `${plotHeight}px`});
      root.appendChild(empty);
    }
    svg.addEventListener("mousemove", (event) => {
      const box = svg.getBoundingClientRect();
      const at = ((event.clientX - box.left - MARGIN.left) / plotWidth) * maxX;
      let nearest = null;
      for (const p of drawn) if (!nearest || Math.abs(p[1] - at) < Math.abs(nearest[1] - at)) nearest = p;
      hovered = nearest;
      place();
    });
    svg.addEventListener("mouseleave", () => { hovered = null; place(); });
    place();
  }

  function place() {
    const point = byThreshold.get(current);
    const shown = hovered || point;
    readout.textContent = shown ? shown[3] : "";
    readout.classList.toggle("hovered", Boolean(hovered));
    if (!point || point[2] === null) {
      marker.setAttribute("visibility", "hidden");
      markerText.textContent = "";
      return;
    }
    const [px, py] = [x(point[1]), y(point[2])];
    marker.setAttribute("visibility", "visible");
    marker.setAttribute("transform", `translate(${px.toFixed(1)},${py.toFixed(1)})`);
    const right = px < (MARGIN.left + x(maxX)) / 2;  // the label on the side with room
    markerText.setAttribute("x", (px + (right ? 12 : -12)).toFixed(1));
    markerText.setAttribute("y", (py + 18).toFixed(1));
    markerText.setAttribute("text-anchor", right ? "start" : "end");
    markerText.textContent = data.marker_label.replace("{value}", String(current));
  }

  draw();
  const resized = new ResizeObserver(() => { if (svg && Number(svg.getAttribute("width")) !== root.clientWidth) draw(); });
  resized.observe(root);

  let input = null;
  let watcher = null;
  let attempts = 0;
  let retry = null;
  const read = () => {
    const value = Number(input.value);
    if (Number.isFinite(value) && value !== current && byThreshold.has(value)) {
      current = value;
      place();
    }
  };
  function follow() {
    input = document.querySelector(`.${data.slider_class} input[type="range"]`);
    if (!input) {
      if (attempts++ < 20) retry = setTimeout(follow, 150);  // the slider's element may not be drawn yet
      return;
    }
    watcher = new MutationObserver(read);
    watcher.observe(input, {attributes: true, attributeFilter: ["aria-valuetext", "value"]});
    input.addEventListener("input", read);
    read();
  }
  follow();

  const cleanup = () => {
    resized.disconnect();
    if (watcher) watcher.disconnect();
    if (input) input.removeEventListener("input", read);
    if (retry) clearTimeout(retry);
    if (root.cleanup === cleanup) root.cleanup = null;
  };
  root.cleanup = cleanup;
  return cleanup;
}

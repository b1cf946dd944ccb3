// Draws what the server marked in a framed preview (server/content/drawn.rs):
// math with KaTeX, then diagrams with Mermaid, whichever the page loaded.
// It runs in a sandboxed frame (an opaque origin) on the content origin.
"use strict";
// In a block, as the height below: other scripts' globals are not ours to shadow.
{
  const dark = matchMedia("(prefers-color-scheme: dark)");
  const scheme = () => (dark.matches ? "dark" : "light");
  // The colour scheme of what is drawn, once drawn (`<html data-drawn>`),
  // for whoever must wait for a drawing (the end-to-end tests' screenshots).
  const drawn = (done) => (document.documentElement.dataset.drawn = done);
  if (window.katex) {
    for (const element of document.querySelectorAll(".math")) {
      const displayMode = element.classList.contains("math-display");
      katex.render(element.textContent, element, { displayMode, throwOnError: false });
    }
  }
  if (window.mermaid) {
    const diagrams = [...document.querySelectorAll("pre.mermaid")].map((pre) => [pre, pre.textContent]);
    // Mermaid writes its theme's colours into each SVG, so a diagram drawn
    // light stays light on a page turned dark: drawn again from its source.
    const draw = async () => {
      const now = scheme();
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: now === "dark" ? "dark" : "default" });
      for (const [pre, source] of diagrams) {
        pre.removeAttribute("data-processed");
        pre.textContent = source;
      }
      await mermaid.run({ nodes: diagrams.map(([pre]) => pre), suppressErrors: true });
      // Mermaid shrinks a diagram to the frame's width: a wide one in a narrow
      // frame had labels of a few pixels. Past three quarters of its size it
      // scrolls sideways instead (pre.mermaid scrolls).
      for (const svg of document.querySelectorAll("pre.mermaid svg")) {
        svg.style.minWidth = `${Math.round(svg.viewBox.baseVal.width * 0.75)}px`;
      }
      drawn(now);
    };
    let drawing = draw();
    dark.addEventListener("change", () => (drawing = drawing.then(draw)));
  } else {
    // KaTeX draws in the text's colour: it follows the scheme at once.
    drawn(scheme());
    dark.addEventListener("change", () => drawn(scheme()));
  }
}
// The app's page cannot read this frame (another origin, sandboxed), so the
// frame tells its height, a number and nothing else, whenever it changes
// (drawing, fonts, the frame's width), and the page fits the frame to it.
{
  let told = 0;
  new ResizeObserver(() => {
    const scrollbar = innerHeight - document.documentElement.clientHeight;
    const height = Math.ceil(document.body.getBoundingClientRect().height) + scrollbar;
    if (height !== told) parent.postMessage({ vitrineDrawnHeight: (told = height) }, "*");
  }).observe(document.body);
}

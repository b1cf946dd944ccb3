// Draws what the server marked in a framed preview (server/content/drawn.rs):
// math with KaTeX, then diagrams with Mermaid, whichever the page loaded.
// It runs in a sandboxed frame (an opaque origin) on the content origin.
"use strict";
if (window.katex) {
  for (const element of document.querySelectorAll(".math")) {
    const displayMode = element.classList.contains("math-display");
    katex.render(element.textContent, element, { displayMode, throwOnError: false });
  }
}
if (window.mermaid) {
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
  mermaid.run({ querySelector: "pre.mermaid", suppressErrors: true });
}

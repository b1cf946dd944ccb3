// Landing page behaviour: reveal feature cards as they scroll into view,
// and check the sign-up address before sending it.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

function revealOnScroll(selector) {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        entry.target.classList.add("visible");
        observer.unobserve(entry.target);
      }
    }
  }, { threshold: 0.2 });
  document.querySelectorAll(selector).forEach((el) => observer.observe(el));
}

function wireSignup(form) {
  const input = form.querySelector("input[type=email]");
  const error = form.querySelector(".error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = input.value.trim();
    if (!EMAIL.test(email)) {
      error.textContent = "Please enter a valid work email.";
      input.focus();
      return;
    }
    error.textContent = "";
    const response = await fetch("/api/waitlist", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, source: "landing-hero" }),
    });
    form.replaceChildren(response.ok ? "Thanks! We'll be in touch." : "Something went wrong, please try again.");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  revealOnScroll(".feature");
  document.querySelectorAll("form.signup").forEach(wireSignup);
});

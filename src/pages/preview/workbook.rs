//! The preview of a spreadsheet: a tab per sheet above its sections.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// A tab per sheet, linking to its section: without script, a tab shows
/// its sheet alone (`:target`); until one is picked, all are shown. The
/// links' `target` makes the router leave them to the browser, whose
/// fragment navigation (unlike the router's `pushState`) moves `:target`.
///
/// The picked sheet's tab is marked. The fragment never reaches the
/// server, so the look comes from a rule per sheet on `:target`, with or
/// without script; `aria-current` follows the fragment once the script
/// runs (read after hydration, as the server rendered it without).
#[component]
pub fn Workbook(sheets: Vec<String>, html: String) -> impl IntoView {
    let picked = RwSignal::new(String::new());
    let hash = use_location().hash;
    Effect::new(move |_| picked.set(hash.get()));
    let marks: Vec<String> =
        (1..=sheets.len()).map(|n| format!(".workbook:has(#sheet-{n}:target) .sheet-tabs a:nth-child({n})")).collect();
    let marks = format!("{} {{ {PICKED} }}", marks.join(", "));
    let tabs = sheets
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let href = format!("#sheet-{}", i + 1);
            let current = {
                let href = href.clone();
                move || picked.with(|p| *p == href).then_some("true")
            };
            view! { <a href=href target="_self" aria-current=current>{name}</a> }
        })
        .collect_view();
    view! {
        <div class="workbook">
            <style>{marks}</style>
            <nav class="sheet-tabs" aria-label="Sheets">{tabs}</nav>
            <div class="markdown sheets" inner_html=html></div>
        </div>
    }
}

/// A picked sheet's tab, as the gallery's current tab (`.tab[aria-current]`).
const PICKED: &str = "background: var(--accent); color: var(--accent-text); border-color: var(--accent);";

//! The preview of a spreadsheet: a tab per sheet above its sections.

use leptos::prelude::*;

/// A tab per sheet, linking to its section: without script, a tab shows
/// its sheet alone (`:target`); until one is picked, all are shown. The
/// links' `target` makes the router leave them to the browser, whose
/// fragment navigation (unlike the router's `pushState`) moves `:target`.
///
/// The picked sheet's tab is marked. The fragment never reaches the
/// server, so the look comes from a rule per sheet on `:target`, with or
/// without script; `aria-current` follows the fragment once the script
/// runs (`mark`).
#[cfg(feature = "ssr")]
pub fn view(sheets: Vec<String>, html: String) -> impl IntoView {
    let marks: Vec<String> =
        (1..=sheets.len()).map(|n| format!(".workbook:has(#sheet-{n}:target) .sheet-tabs a:nth-child({n})")).collect();
    let marks = format!("{} {{ {PICKED} }}", marks.join(", "));
    let tabs = sheets
        .into_iter()
        .enumerate()
        .map(|(i, name)| view! { <a href=format!("#sheet-{}", i + 1) target="_self">{name}</a> })
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
#[cfg(feature = "ssr")]
const PICKED: &str = "background: var(--accent); color: var(--accent-text); border-color: var(--accent);";

/// Marks the picked sheet's tab whenever the fragment changes, while the
/// calling page lives.
pub fn follow() {
    let handle = window_event_listener(leptos::ev::hashchange, |_| {
        if let Some(body) = document().body() {
            mark(&body);
        }
    });
    on_cleanup(move || handle.remove());
}

/// Marks the tab in `page` of the sheet the fragment names
/// (`aria-current`), and no other.
pub fn mark(page: &leptos::web_sys::Element) {
    let hash = window().location().hash().unwrap_or_default();
    let Ok(Some(tabs)) = page.query_selector(".sheet-tabs") else { return };
    let mut tab = tabs.first_element_child();
    while let Some(t) = tab {
        let _ = match t.get_attribute("href").is_some_and(|h| !hash.is_empty() && h == hash) {
            true => t.set_attribute("aria-current", "true"),
            false => t.remove_attribute("aria-current"),
        };
        tab = t.next_element_sibling();
    }
}

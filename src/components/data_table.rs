use leptos::prelude::*;

/// A table of records, one per row (`children`), whose last column holds
/// an action per row (its header, `action`, is for screen readers only).
/// In its own scroll box: on a phone the table scrolls, not the page; the
/// box is a region named `label` (not its section's heading: landmarks need
/// names of their own), focusable so the keyboard scrolls it.
#[component]
pub fn DataTable(
    label: &'static str,
    columns: &'static [&'static str],
    action: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
            <table class="data">
                <thead>
                    <tr>
                        {columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                        <th scope="col"><span class="visually-hidden">{action}</span></th>
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

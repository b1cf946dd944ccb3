use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A plain form posted to `/login`: signing in works without JavaScript.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        let query = query.read();
        match query.get("error")?.as_str() {
            "limited" => Some(format!(
                "Too many sign-in attempts. Try again in {} seconds.",
                query.get("retry").unwrap_or_else(|| "60".into())
            )),
            _ => Some("Wrong name or password.".to_string()),
        }
    };
    let next = move || query.read().get("next").unwrap_or_else(|| "/artifacts".to_string());
    view! {
        <Title text="Sign in" />
        <main class="login">
            <form class="card login-form" method="post" action="/login">
                <h1>"Vitrine"</h1>
                <p class="muted">"Sign in to see your artifacts."</p>
                {move || error().map(|message| view! { <p class="error" role="alert">{message}</p> })}
                // An attribute, not a property: the server must render it, or a
                // sign-in without JavaScript loses where it was going.
                <input type="hidden" name="next" value=next />
                <label>"Name" <input name="name" autocomplete="username" required autofocus /></label>
                <label>
                    "Password" <input name="password" type="password" autocomplete="current-password" required />
                </label>
                <button type="submit">"Sign in"</button>
            </form>
        </main>
    }
}

//! A browser without a browser: a session of the web dashboard over plain HTTP, for the tests
//! that check what the server decides (redirects, cookies, CSRF, permissions, status codes).
//! It keeps the cookies the server sets, reads the forms' hidden tokens out of the HTML and
//! never follows redirects by itself, so every answer can be asserted. What a real browser
//! shows (layout, accessibility) is the browser tests' (tests/e2e/browser.rs).

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};

use super::TestServer;

/// One answer of the dashboard.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The `value` of the first `<input name="{name}" value="…">` of the page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_owned())
    }
}

/// A cookie jar and a client that does not follow redirects.
#[derive(Debug)]
pub struct WebSession {
    client: Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

impl WebSession {
    pub fn new(server: &TestServer) -> Self {
        Self {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: server.url(""),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().expect("ascii cookie");
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        Page {
            status: response.status(),
            location: response
                .headers()
                .get(LOCATION)
                .map(|v| v.to_str().unwrap().to_owned()),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.finish(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .expect("POST");
        self.finish(response).await
    }

    /// Signs in with `token` through the sign-in form; panics unless a session cookie comes
    /// back with a redirect to `/`.
    pub async fn sign_in(server: &TestServer, token: &str) -> Self {
        let mut session = Self::new(server);
        let form = session.get("/signin").await;
        assert_eq!(form.status, 200, "{}", form.body);
        let pre = form.hidden("pre").expect("the sign-in form's token");
        let done = session
            .post("/signin", &[("token", token), ("pre", &pre), ("next", "/")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/"));
        assert!(
            session.cookies.contains_key("rollout_session"),
            "{:?}",
            session.cookies
        );
        session
    }

    /// The CSRF token of the signed-in session, read from a page's forms.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/procedures?q=__none__").await;
        assert_eq!(page.status, 200, "{}", page.body);
        page.hidden("csrf")
            .expect("signed-in pages carry the CSRF token")
    }
}

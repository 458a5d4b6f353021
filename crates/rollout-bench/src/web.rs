//! The dashboard's pages (issue 14) as a browser asks for them, warm, one client, on the
//! suite's database: a session opened through the sign-in form with the suite's token, then
//! `GET` of each page with the session cookie. Each page must answer 200; the largest body of
//! each is reported against the 200 KB budget (measured uncompressed, so the budget holds
//! whatever compression a proxy adds).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};

use crate::load::Op;

/// The paths measured, with their kind: the overview, the list (plain and filtered), a
/// procedure, the bottlenecks.
pub const PAGES: &[(&str, &str)] = &[
    ("overview", "/"),
    ("list", "/procedures"),
    (
        "list_filtered",
        "/procedures?state=scheduled&priority=true&q=%E7%94%B3%E8%AB%8B",
    ),
];

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

fn cookie_of(reply: &reqwest::Response, name: &str) -> Option<String> {
    reply
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl Browser {
    /// Signs in through `/signin` with `token`.
    pub async fn sign_in(base: &str, token: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let form = http.get(format!("{base}/signin")).send().await?;
        let pre_cookie = cookie_of(&form, "rollout_pre").context("no rollout_pre cookie")?;
        let pre = pre_cookie.trim_start_matches("rollout_pre=").to_owned();
        let reply = http
            .post(format!("{base}/signin"))
            .header(reqwest::header::COOKIE, &pre_cookie)
            .form(&[("token", token), ("pre", &pre), ("next", "/")])
            .send()
            .await?;
        if reply.status() != reqwest::StatusCode::SEE_OTHER {
            bail!("sign-in answered {}", reply.status());
        }
        let cookie = cookie_of(&reply, "rollout_session").context("no session cookie")?;
        Ok(Self {
            http,
            base: base.to_owned(),
            cookie,
        })
    }
}

/// `GET` of one page; remembers the largest body.
#[derive(Debug)]
pub struct PageOp {
    pub browser: Browser,
    pub path: String,
    pub largest: Arc<AtomicUsize>,
}

impl Op for PageOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let reply = self
            .browser
            .http
            .get(format!("{}{}", self.browser.base, self.path))
            .header(reqwest::header::COOKIE, &self.browser.cookie)
            .send()
            .await
            .context("request failed")?;
        let status = reply.status();
        let body = reply.bytes().await.context("no body")?;
        if status != reqwest::StatusCode::OK {
            bail!("{} answered {status}", self.path);
        }
        self.largest.fetch_max(body.len(), Ordering::Relaxed);
        Ok(())
    }
}

//! A bare HTTP/1.1 client for load: one keep-alive connection per simulated client,
//! so "N connections" means exactly N, and as little client work per request as
//! hyper allows.

use std::net::SocketAddr;

use anyhow::Context;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;

/// A request's answer, body read in full.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// The answer, or an error naming the request when the status is not 2xx.
    pub fn success(self, what: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(
            self.status.is_success(),
            "{what} answered {}: {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        Ok(self)
    }

    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body).context("reading a JSON answer")
    }

    /// The `X-Emporium-Position` a write answered with.
    pub fn position(&self) -> anyhow::Result<u64> {
        self.headers
            .get("x-emporium-position")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .context("the write answered without X-Emporium-Position")
    }
}

/// One keep-alive connection to a server.
pub struct Connection {
    address: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    /// Connects to `address`.
    pub async fn open(address: SocketAddr) -> anyhow::Result<Self> {
        Ok(Self { address, sender: connect(address).await? })
    }

    /// GET `path` with extra headers.
    pub async fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> anyhow::Result<Answer> {
        self.send(Method::GET, path, None, headers, Bytes::new()).await
    }

    /// POST a JSON body, with a bearer token if given.
    pub async fn post_json(
        &mut self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> anyhow::Result<Answer> {
        let body = Bytes::from(serde_json::to_vec(body)?);
        self.send(Method::POST, path, token, &[(header::CONTENT_TYPE.as_str(), "application/json")], body).await
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> anyhow::Result<Answer> {
        // A server may close an idle keep-alive connection; open a new one then.
        if self.sender.ready().await.is_err() {
            self.sender = connect(self.address).await?;
        }
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, self.address.to_string());
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self.sender.send_request(request.body(Full::new(body))?).await.context("sending a request")?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.context("reading an answer")?.to_bytes();
        Ok(Answer { status: parts.status, headers: parts.headers, body })
    }
}

async fn connect(address: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(address).await.with_context(|| format!("connecting to {address}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = handshake(TokioIo::new(stream)).await.context("HTTP/1.1 handshake")?;
    tokio::spawn(async move {
        // Ends when the server closes the connection or the sender is dropped.
        let _ = connection.await;
    });
    Ok(sender)
}

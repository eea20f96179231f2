//! `batch`: many calls in one request, split into requests of at most 50 commands.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::{Client, Error, EventToken, decode, event_send_params, to_params};
use crate::BizprocReturn;

/// The most commands one `batch` request may carry.
pub const BATCH_LIMIT: usize = 50;

/// One command of a [`Batch`].
#[derive(Debug, Clone)]
pub struct BatchCommand {
    method: String,
    params: Map<String, Value>,
    idempotent: bool,
}

/// Commands sent together, 50 to a `batch` request. Each command's result or error comes back
/// on its own; a `batch` request is one request against the rate limit.
///
/// ```no_run
/// # async fn run(client: bizproc::client::Client) -> Result<(), bizproc::client::Error> {
/// let mut batch = client.batch();
/// let robots = batch.push_idempotent("bizproc.robot.list", serde_json::json!({}))?;
/// let activities = batch.push_idempotent("bizproc.activity.list", serde_json::json!({}))?;
/// let results = batch.send().await?;
/// let robots: Vec<String> = results.get(robots)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use]
pub struct Batch<'a> {
    client: &'a Client,
    commands: Vec<BatchCommand>,
    halt: bool,
}

/// The outcome of every command of a [`Batch`], by the index `push` returned.
#[derive(Debug)]
pub struct BatchResults {
    results: Vec<Result<Value, Error>>,
}

impl Client {
    /// A new batch.
    pub fn batch(&self) -> Batch<'_> {
        Batch { client: self, commands: Vec::new(), halt: false }
    }

    /// Sends many results in as few requests as the 50-command limit allows. Each run's
    /// outcome comes back in order; the call fails as a whole only when no answer came.
    ///
    /// # Errors
    /// When a `batch` request itself fails.
    pub async fn send_results<R: BizprocReturn>(
        &self,
        results: &[(R, EventToken<R>)],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let locale = self.portal_locale().await?;
        let mut batch = self.batch();
        for (result, token) in results {
            let values = result.return_values_in(&locale);
            batch.push_idempotent("bizproc.event.send", event_send_params(token.as_str(), &values, None))?;
        }
        Ok(batch.send().await?.results.into_iter().map(|r| r.map(|_| ())).collect())
    }
}

impl Batch<'_> {
    /// Adds a command that must not be repeated after a lost answer; returns its index.
    ///
    /// # Errors
    /// When `params` is not an object.
    pub fn push(&mut self, method: &str, params: impl Serialize) -> Result<usize, Error> {
        self.add(method, params, false)
    }

    /// Adds a command that is safe to repeat; returns its index.
    ///
    /// # Errors
    /// When `params` is not an object.
    pub fn push_idempotent(&mut self, method: &str, params: impl Serialize) -> Result<usize, Error> {
        self.add(method, params, true)
    }

    fn add(&mut self, method: &str, params: impl Serialize, idempotent: bool) -> Result<usize, Error> {
        let params = to_params(method, params)?;
        self.commands.push(BatchCommand { method: method.to_owned(), params, idempotent });
        Ok(self.commands.len() - 1)
    }

    /// Stops at the first failing command (`halt = 1`); later commands are not run.
    pub fn halt(mut self, halt: bool) -> Self {
        self.halt = halt;
        self
    }

    /// How many commands there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Sends the commands, 50 to a request.
    ///
    /// # Errors
    /// When a `batch` request itself fails; commands' own errors are in the results.
    pub async fn send(self) -> Result<BatchResults, Error> {
        let mut results = Vec::with_capacity(self.commands.len());
        let mut halted = false;
        for chunk in self.commands.chunks(BATCH_LIMIT) {
            if halted {
                results.extend(chunk.iter().map(|c| Err(Error::NotRun { method: c.method.clone() })));
                continue;
            }
            let cmd: Map<String, Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("c{i}"), Value::String(format!("{}?{}", c.method, bizproc_query(&c.params)))))
                .collect();
            let params = json!({ "halt": i32::from(self.halt), "cmd": cmd });
            let Value::Object(params) = params else { unreachable!("json! of an object is an object") };
            let idempotent = chunk.iter().all(|c| c.idempotent);
            let answer = self.client.inner.execute("batch", &params, idempotent).await?;
            let section = |name: &str| match answer.get(name) {
                Some(Value::Object(map)) => map.clone(),
                _ => Map::new(), // the server writes an empty map as `[]`
            };
            let (ok, failed) = (section("result"), section("result_error"));
            for (i, command) in chunk.iter().enumerate() {
                let key = format!("c{i}");
                let outcome = if let Some(error) = failed.get(&key) {
                    halted |= self.halt;
                    let text = |k: &str| error.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                    Err(Error::api(&command.method, 400, &text("error"), &text("error_description")))
                } else if let Some(value) = ok.get(&key) {
                    Ok(value.clone())
                } else {
                    Err(Error::NotRun { method: command.method.clone() })
                };
                results.push(outcome);
            }
        }
        Ok(BatchResults { results })
    }
}

/// A command's parameters as the query string `batch` takes.
fn bizproc_query(params: &Map<String, Value>) -> String {
    crate::form::encode(&Value::Object(params.clone()))
}

impl BatchResults {
    /// The result of command `index`, read as `T`.
    ///
    /// # Errors
    /// The command's error, [`Error::NotRun`] when a halt stopped it, or a result that does
    /// not read as `T`.
    pub fn get<T: DeserializeOwned>(&self, index: usize) -> Result<T, Error> {
        match self.results.get(index) {
            Some(Ok(value)) => decode("batch", value.clone()),
            Some(Err(error)) => Err(error.duplicate()),
            None => Err(Error::NotRun { method: format!("batch command {index}") }),
        }
    }

    /// Every command's outcome, in order.
    #[must_use]
    pub fn into_results(self) -> Vec<Result<Value, Error>> {
        self.results
    }

    /// How many commands there were.
    #[must_use]
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether there were none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

//! An outbox in memory: for tests, and for apps that accept losing pending results on exit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::{AcceptedCall, Delivery, DeliveryState, NewDelivery, Outbox, OutboxError, Stats};

/// An [`Outbox`] in memory. Nothing survives the process; use
/// [`SqliteOutbox`](super::SqliteOutbox) for that.
///
/// ```
/// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox};
///
/// let outbox = MemoryOutbox::default();
/// outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t", serde_json::json!({}))).unwrap();
/// assert_eq!(outbox.stats().unwrap().pending, 1);
/// ```
#[derive(Debug, Default)]
pub struct MemoryOutbox {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    rows: Vec<Delivery>,
    by_token: HashMap<String, usize>,
    /// The pending rows in the order they fall due, `(next_attempt_ms, id, index)`: a worker
    /// pass reads the first few instead of sorting a backlog that can run to millions.
    due: BTreeSet<(i64, i64, usize)>,
    retried: u64,
    /// Accepted calls by the order they came in, and where each token's is.
    calls: BTreeMap<u64, AcceptedCall>,
    call_order: HashMap<String, u64>,
    next_call: u64,
}

impl MemoryOutbox {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl State {
    /// The pending row of `token`, taken out of the due order: the caller settles it, or puts
    /// it back with [`schedule`](Self::schedule).
    fn unschedule(&mut self, token: &str) -> Option<usize> {
        let index = *self.by_token.get(token)?;
        let row = &self.rows[index];
        (row.state == DeliveryState::Pending).then(|| {
            self.due.remove(&(row.next_attempt_ms, row.id, index));
            index
        })
    }

    /// Puts pending row `index` in the due order at its next attempt.
    fn schedule(&mut self, index: usize) {
        let row = &self.rows[index];
        self.due.insert((row.next_attempt_ms, row.id, index));
    }
}

impl Outbox for MemoryOutbox {
    fn enqueue(&self, delivery: &NewDelivery) -> Result<bool, OutboxError> {
        let mut state = self.lock();
        if state.by_token.contains_key(&delivery.event_token) {
            return Ok(false);
        }
        let index = state.rows.len();
        state.rows.push(Delivery {
            id: i64::try_from(index).unwrap_or(i64::MAX) + 1,
            member_id: delivery.member_id.clone(),
            client_endpoint: delivery.client_endpoint.clone(),
            event_token: delivery.event_token.clone(),
            return_values: delivery.return_values.clone(),
            log_message: delivery.log_message.clone(),
            deadline: delivery.deadline,
            created_at: delivery.created_at,
            state: DeliveryState::Pending,
            attempts: 0,
            next_attempt_ms: delivery.created_at.saturating_mul(1000),
            last_error: None,
        });
        state.by_token.insert(delivery.event_token.clone(), index);
        state.schedule(index);
        Ok(true)
    }

    fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Delivery>, OutboxError> {
        let state = self.lock();
        let due = state.due.iter().take_while(|(at, _, _)| *at <= now_ms).take(limit);
        Ok(due.map(|&(_, _, index)| state.rows[index].clone()).collect())
    }

    fn mark_delivered(&self, event_tokens: &[&str], _now_ms: i64) -> Result<(), OutboxError> {
        let mut state = self.lock();
        for token in event_tokens {
            if let Some(index) = state.unschedule(token) {
                let row = &mut state.rows[index];
                row.state = DeliveryState::Delivered;
                row.last_error = None;
            }
        }
        Ok(())
    }

    fn record_failure(&self, event_token: &str, error: &str, next_attempt_ms: i64) -> Result<(), OutboxError> {
        let mut state = self.lock();
        if let Some(index) = state.unschedule(event_token) {
            let row = &mut state.rows[index];
            row.attempts = row.attempts.saturating_add(1);
            row.next_attempt_ms = next_attempt_ms;
            row.last_error = Some(error.to_owned());
            state.retried += 1;
            state.schedule(index);
        }
        Ok(())
    }

    fn dead_letter(&self, event_token: &str, reason: &str, _now_ms: i64) -> Result<(), OutboxError> {
        let mut state = self.lock();
        if let Some(index) = state.unschedule(event_token) {
            let row = &mut state.rows[index];
            row.state = DeliveryState::DeadLetter;
            row.last_error = Some(reason.to_owned());
        }
        Ok(())
    }

    fn dead_letters(&self, limit: usize) -> Result<Vec<Delivery>, OutboxError> {
        let state = self.lock();
        Ok(state.rows.iter().filter(|row| row.state == DeliveryState::DeadLetter).take(limit).cloned().collect())
    }

    fn replay(&self, event_token: &str, deadline: Option<i64>, now_ms: i64) -> Result<bool, OutboxError> {
        let mut state = self.lock();
        let Some(&index) = state.by_token.get(event_token) else {
            return Ok(false);
        };
        let row = &mut state.rows[index];
        if row.state != DeliveryState::DeadLetter {
            return Ok(false);
        }
        row.state = DeliveryState::Pending;
        row.attempts = 0;
        row.deadline = deadline;
        row.next_attempt_ms = now_ms;
        state.schedule(index);
        Ok(true)
    }

    fn get(&self, event_token: &str) -> Result<Option<Delivery>, OutboxError> {
        let state = self.lock();
        Ok(state.by_token.get(event_token).map(|&index| state.rows[index].clone()))
    }

    fn stats(&self) -> Result<Stats, OutboxError> {
        let state = self.lock();
        let count = |wanted: DeliveryState| state.rows.iter().filter(|row| row.state == wanted).count() as u64;
        Ok(Stats {
            pending: count(DeliveryState::Pending),
            delivered: count(DeliveryState::Delivered),
            retried: state.retried,
            dead_lettered: count(DeliveryState::DeadLetter),
        })
    }

    fn record_call(
        &self,
        event_token: &str,
        robot: &str,
        body: &[u8],
        content_type: Option<&str>,
        received_at_ms: i64,
    ) -> Result<bool, OutboxError> {
        let mut state = self.lock();
        if state.call_order.contains_key(event_token) {
            return Ok(false);
        }
        let order = state.next_call;
        state.next_call += 1;
        state.call_order.insert(event_token.to_owned(), order);
        state.calls.insert(
            order,
            AcceptedCall {
                event_token: event_token.to_owned(),
                robot: robot.to_owned(),
                body: body.to_vec(),
                content_type: content_type.map(str::to_owned),
                received_at_ms,
            },
        );
        Ok(true)
    }

    fn finish_call(&self, event_token: &str) -> Result<(), OutboxError> {
        let mut state = self.lock();
        if let Some(order) = state.call_order.remove(event_token) {
            state.calls.remove(&order);
        }
        Ok(())
    }

    fn pending_calls(&self) -> Result<Vec<AcceptedCall>, OutboxError> {
        Ok(self.lock().calls.values().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_an_outbox() {
        super::super::exercise(&MemoryOutbox::default());
    }
}

//! One computation for the libuv thread pool; its result (or error) is converted on the JS thread.

use clinic_js_api::JsApiError;
use napi::bindgen_prelude::*;
use napi::{Env, ScopedTask};
use serde::Serialize;

use crate::boundary::{js_error, out};

type Job<T> = Box<dyn FnOnce() -> std::result::Result<T, JsApiError> + Send>;

pub struct Work<T: Serialize + Send + 'static> {
    job: Option<Job<T>>,
}

impl<T: Serialize + Send + 'static> std::fmt::Debug for Work<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Work").field("pending", &self.job.is_some()).finish()
    }
}

impl<T: Serialize + Send + 'static> Work<T> {
    pub fn new(job: impl FnOnce() -> std::result::Result<T, JsApiError> + Send + 'static) -> Self {
        Work { job: Some(Box::new(job)) }
    }

    pub fn task(job: impl FnOnce() -> std::result::Result<T, JsApiError> + Send + 'static) -> AsyncTask<Self> {
        AsyncTask::new(Self::new(job))
    }
}

impl<'task, T: Serialize + Send + 'static> ScopedTask<'task> for Work<T> {
    type Output = std::result::Result<T, JsApiError>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        match self.job.take() {
            Some(job) => Ok(job()),
            None => Err(Error::new(Status::GenericFailure, "the task ran twice")),
        }
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        match output {
            Ok(v) => out(env, &v),
            Err(e) => Err(js_error(env, e)),
        }
    }
}

// trybuild compiles this in target/tests/trybuild/bizproc-suite: the path is relative to that.
use bizproc::{BizprocReturn, BizprocSelect};

#[derive(BizprocSelect)]
enum Decision {
    #[bizproc(rename = "approve")]
    Approve,
    #[bizproc(rename = "reject")]
    Other,
}

#[derive(BizprocReturn)]
#[bizproc(definition = "../../../../tests/ui/definitions/review.yaml")]
struct Review {
    score: i64,
    tags: Vec<String>,
    decision: Decision,
}

fn main() {}

use bizproc::{BizprocReturn, BizprocSelect};

#[derive(BizprocSelect)]
enum Decision {
    Approve,
    Deny,
}

#[derive(BizprocReturn)]
#[bizproc(code = "decide", name = "Decide")]
struct Decide {
    #[bizproc(default = "maybe")]
    decision: Decision,
}

fn main() {}

use bizproc::BizprocSelect;

#[derive(BizprocSelect)]
enum Decision {
    Approve,
    Deny { reason: String },
}

fn main() {}

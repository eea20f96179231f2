use bizproc::BizprocSelect;

#[derive(BizprocSelect)]
enum Decision {
    #[bizproc(label = "")]
    Approve,
    Deny,
}

fn main() {}

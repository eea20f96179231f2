use bizproc::BizprocSelect;

#[derive(BizprocSelect)]
enum Decision {
    #[bizproc(rename = "yes")]
    Approve,
    #[bizproc(rename = "yes")]
    Accept,
}

fn main() {}

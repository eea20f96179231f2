use bizproc::BizprocSelect;

#[derive(BizprocSelect)]
enum Decision {
    #[bizproc(lable = "Approved")]
    Approve,
}

fn main() {}

use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(
    code = "credit_check",
    name(en = "Credit check", english = "Credit check")
)]
struct CreditCheck {
    score: i64,
}

fn main() {}

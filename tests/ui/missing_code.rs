use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(name = "Credit check")]
struct CreditCheck {
    score: i64,
}

fn main() {}

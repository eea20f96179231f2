use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(code = "check", name = "Check")]
enum Outcome {
    Done,
}

fn main() {}

use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(code = "wait", name = "Wait", rename_all = "PascalCase")]
struct Wait {
    is_timeout: bool,
}

fn main() {}

// trybuild compiles this in target/tests/trybuild/bizproc-suite: the path is relative to that.
use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(definition = "../../../../tests/ui/definitions/broken_syntax.yaml")]
struct Review {
    score: i64,
}

fn main() {}

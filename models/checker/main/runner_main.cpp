// weave::checker_main: the runner's main, for a program made of model checks
// (weave_models, or a user's own; see `--help`). Linked from a static library,
// it is used only by a program that has no main of its own.
#include "weave/model.hpp"

int main(int argc, char** argv) { return weave::model::main(argc, argv); }

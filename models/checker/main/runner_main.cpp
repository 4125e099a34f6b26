// The runner of every registered model check (see `weave_models --help`).
#include "weave/model.hpp"

int main(int argc, char** argv) { return weave::model::main(argc, argv); }

// The CppUnit runner of every fixture in primitives/tests, and of the
// checker's own tests (weave_checker_tests links it too).
//   weave_unit            run every registered suite
//   weave_unit NAME...    run the named suites or tests, as SUITE or SUITE::TEST
//                         (ctest runs one suite per test)
//   weave_unit --list     list the suites
//   weave_unit --help     say so
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/Test.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/extensions/TestFactoryRegistry.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <vector>

int main(int argc, char** argv) {
  // Owns every suite: a named one is run where it is, not handed to a
  // TestRunner (which would delete it, and the registry's tree would leak).
  const std::unique_ptr<CppUnit::Test> all(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
  const char* slash = argc > 0 ? std::strrchr(argv[0], '/') : nullptr;
  const char* self = slash != nullptr ? slash + 1 : argc > 0 ? argv[0] : "weave_unit";
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::cout << "usage: " << self << " [--list | SUITE | SUITE::TEST ...]\n"
              << "  no argument: every suite; --list: the suites' names\n";
    return 0;
  }
  if (argc > 1 && std::strcmp(argv[1], "--list") == 0) {
    for (int i = 0; i < all->getChildTestCount(); ++i) std::cout << all->getChildTestAt(i)->getName() << "\n";
    return 0;
  }
  std::vector<CppUnit::Test*> run;
  if (argc == 1) run.push_back(all.get());
  for (int a = 1; a < argc; ++a) {
    try {
      run.push_back(all->findTest(argv[a]));
    } catch (const std::invalid_argument&) {
      std::cerr << self << ": no suite or test named " << argv[a] << " (try --list)\n";
      return 2;
    }
  }
  CppUnit::TestResult controller;
  CppUnit::TestResultCollector collected;
  CppUnit::BriefTestProgressListener progress;
  controller.addListener(&collected);
  controller.addListener(&progress);
  for (CppUnit::Test* t : run) controller.runTest(t);
  CppUnit::CompilerOutputter(&collected, std::cerr).write();
  return collected.wasSuccessful() ? 0 : 1;
}

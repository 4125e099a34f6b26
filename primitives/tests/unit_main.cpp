// The CppUnit runner of every fixture in primitives/tests.
//   weave_unit            run every registered suite
//   weave_unit NAME...    run the named suites (ctest runs one suite per test)
//   weave_unit --list     list the suites
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/TestRunner.h>
#include <cppunit/extensions/TestFactoryRegistry.h>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
  CppUnit::Test* all = CppUnit::TestFactoryRegistry::getRegistry().makeTest();
  if (argc > 1 && std::strcmp(argv[1], "--list") == 0) {
    for (int i = 0; i < all->getChildTestCount(); ++i) std::cout << all->getChildTestAt(i)->getName() << "\n";
    return 0;
  }
  CppUnit::TestResult controller;
  CppUnit::TestResultCollector collected;
  CppUnit::BriefTestProgressListener progress;
  controller.addListener(&collected);
  controller.addListener(&progress);
  CppUnit::TestRunner runner;
  if (argc == 1) {
    runner.addTest(all);
  } else {
    for (int a = 1; a < argc; ++a) {
      try {
        runner.addTest(all->findTest(argv[a]));
      } catch (const std::invalid_argument&) {
        std::cerr << "weave_unit: no suite named " << argv[a] << " (try --list)\n";
        return 2;
      }
    }
  }
  runner.run(controller);
  CppUnit::CompilerOutputter(&collected, std::cerr).write();
  return collected.wasSuccessful() ? 0 : 1;
}

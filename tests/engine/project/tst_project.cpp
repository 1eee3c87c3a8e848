// SPDX-License-Identifier: MIT
// .dynfit projects: round trip, located errors for corrupt files, newer versions refused,
// atomic saves, and the data sets and settings as engine inputs.
#include "model/model.hpp"
#include "project/project_fit.hpp"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <sstream>

using namespace dynfit;

namespace {

project::Project sample() {
    project::Project p;
    p.modelText = "param k = 0.5 in [0, 2]\ninit x = 1\nd(x)/dt = -k*x\ntspan = 0 .. 2\n";
    p.data.push_back({"decay",
                      "/home/me/decay.csv",
                      "t,x,noise\n0,1,9\n1,0.61,9\n2,0.37,9\n",
                      {{"noise", ""}},
                      {{"x", 1.0}}});
    p.data.push_back({"second",
                      "",
                      "time;signal\n0;2\n1;1.2\n",
                      {{"signal", "x"}},
                      {{"x", 2.0}},
                      "t,state,amount\n0.5,x,1\n",
                      "/home/me/doses.csv"});
    p.solver = {"Vern7", 1e-9, 1e-11, ode::TimeSpan{0.0, 2.0}};
    p.fit.optimizer = "lm";
    p.fit.gradient = "forward";
    p.fit.iterations = 50;
    p.fit.seed = 1234567890123ULL;
    p.fit.fixed = {"k"};
    p.view = {true, false, 1234};
    p.history = {{1, 0.5, 0.1, 0.01}, {2, 0.25, 0.05, 0.02}};
    return p;
}

std::string readAll(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

class TestProject : public QObject {
    Q_OBJECT
  private slots:
    void roundTrip() {
        const auto p = sample();
        project::Project back;
        std::string error;
        QVERIFY2(project::readProject(project::writeProject(p), back, error), error.c_str());
        QVERIFY(back == p);
    }

    void corruptFilesAreLocated() {
        project::Project p;
        std::string error;
        QVERIFY(!project::readProject("{\n  \"format\": \"dynfit-project\",\n  \"version\": 1,\n"
                                      "  \"model\": \"x\" oops\n}",
                                      p, error));
        QVERIFY2(error.find("line 4, column 16") != std::string::npos, error.c_str());
        auto bad = project::writeProject(sample());
        bad.replace(bad.find("\"csv\": \"t,x"), 11, "\"csv\": 7, \"x\": \"t,x");
        QVERIFY(!project::readProject(bad, p, error));
        QVERIFY2(error.find("\"data[0].csv\" must be a string") != std::string::npos,
                 error.c_str());
        auto points = project::writeProject(sample());
        points.replace(points.find("\"points\": 1234"), 14, "\"points\": 1");
        QVERIFY(!project::readProject(points, p, error));
        QVERIFY2(error.find("\"view.points\" must be between 2 and 100000") != std::string::npos,
                 error.c_str());
        QVERIFY(!project::readProject("[1, 2]", p, error));
        QVERIFY(error.find("not a DynFit project") != std::string::npos);
        QVERIFY(!project::readProject("", p, error));
    }

    void newerVersionsAreRefused() {
        auto text = project::writeProject(sample());
        text.replace(text.find("\"version\": 1"), 12, "\"version\": 99");
        project::Project p;
        std::string error;
        QVERIFY(!project::readProject(text, p, error));
        QVERIFY2(error.find("newer DynFit (format version 99") != std::string::npos, error.c_str());
    }

    // Saving replaces the file whole and leaves no temporary behind; a failed save (a folder
    // that does not exist) changes nothing.
    void savesAreAtomic() {
        QTemporaryDir dir;
        const QString path = dir.filePath("p.dynfit");
        std::string error;
        auto p = sample();
        QVERIFY(project::saveProjectFile(path.toStdString(), p, error));
        p.data.pop_back();
        QVERIFY(project::saveProjectFile(path.toStdString(), p, error));
        project::Project back;
        QVERIFY(project::loadProjectFile(path.toStdString(), back, error));
        QVERIFY(back == p);
        QVERIFY(!QFile::exists(path + ".saving"));
        QVERIFY(
            !project::saveProjectFile(dir.filePath("missing/p.dynfit").toStdString(), p, error));
        QCOMPARE(readAll(path), project::writeProject(p));
        QVERIFY(project::isProjectPath("a/b.dynfit"));
        QVERIFY(!project::isProjectPath("a/b.dyn"));
    }

    void dataSetsBecomeExperiments() {
        const auto p = sample();
        model::Diagnostics d;
        const auto m = model::compileModel(p.modelText, d);
        std::vector<fit::Experiment> experiments;
        std::string error;
        QVERIFY2(project::buildExperiments(p, *m, experiments, error), error.c_str());
        QCOMPARE(experiments.size(), std::size_t(2));
        QCOMPARE(experiments[0].loss.terms().size(), std::size_t(3)); // noise ignored
        QCOMPARE(experiments[1].loss.terms().size(), std::size_t(2)); // signal → x
        QCOMPARE(experiments[1].initialValues.front().second, 2.0);
        QVERIFY(experiments[0].doses.empty());
        QCOMPARE(experiments[1].doses.size(), std::size_t(1)); // its dose table
        QCOMPARE(experiments[1].doses[0].t, 0.5);
        QCOMPARE(experiments[1].doses[0].amount, 1.0);

        auto broken = p;
        broken.data[0].csv = "t,x\n0,1\n1,abc\n";
        QVERIFY(!project::buildExperiments(broken, *m, experiments, error));
        QVERIFY2(error.find("decay:3:2") != std::string::npos, error.c_str());
        broken = p;
        broken.data[1].mapping = {{"signal", "y"}};
        QVERIFY(!project::buildExperiments(broken, *m, experiments, error));
        QVERIFY(error.find("'y' is not a state") != std::string::npos);
        broken = p;
        broken.data[1].dosesCsv = "t,state,amount\n0.5,y,1\n";
        QVERIFY(!project::buildExperiments(broken, *m, experiments, error));
        QVERIFY2(error.find("second (doses):2:") != std::string::npos, error.c_str());
    }

    void settingsBecomeOptions() {
        auto p = sample();
        fit::FitOptions o;
        std::string error;
        QVERIFY(project::fitOptionsOf(p, o, error));
        QVERIFY(o.optimizer == fit::Optimizer::LevenbergMarquardt);
        QVERIFY(o.gradient == sens::GradientMethod::Forward);
        QCOMPARE(o.solve.reltol, 1e-9);
        QCOMPARE(o.maxIterations, 50);
        QVERIFY(o.span.has_value());
        QCOMPARE(o.fixed, std::vector<std::string>{"k"});
        p.solver.method = "Tsit6";
        QVERIFY(!project::fitOptionsOf(p, o, error));
        QVERIFY(error.find("Tsit6") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestProject)
#include "tst_project.moc"

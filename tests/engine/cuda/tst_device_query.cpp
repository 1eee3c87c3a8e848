// SPDX-License-Identifier: MIT
// The device query: never fails, says why there is no GPU, and runs a kernel where there is one.
#include "cuda/device_query.hpp"

#include <QTest>

using namespace dynfit::device;

class TestDeviceQuery : public QObject {
    Q_OBJECT
  private slots:
    void reportIsConsistent() {
        const DeviceReport report = queryDevices();
#ifdef DYNFIT_HAVE_CUDA
        QVERIFY(report.cudaCompiled);
#else
        QVERIFY(!report.cudaCompiled);
#endif
        QCOMPARE(report.hasGpu(), !report.gpus.empty());
        if (!report.hasGpu()) {
            QVERIFY2(report.reason.rfind("no GPU", 0) == 0, report.reason.c_str());
            QVERIFY(!report.reason.empty());
        }
    }

    void kernelSelfTest() {
        std::string reason;
        const bool ok = runSelfTest(reason);
        if (!queryDevices().hasGpu()) {
            QVERIFY(!ok);
            QVERIFY(!reason.empty());
            QSKIP("no GPU here: the kernel self-test runs only where one is present");
        }
        QVERIFY2(ok, reason.c_str());
    }
};

QTEST_GUILESS_MAIN(TestDeviceQuery)
#include "tst_device_query.moc"

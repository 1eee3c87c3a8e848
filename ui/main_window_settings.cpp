// SPDX-License-Identifier: MIT
// The settings panel of the main window: solver, tolerances, gradient, optimiser, time span.
#include "cuda/device_query.hpp"
#include "fit/fitter.hpp"
#include "main_window.hpp"
#include "parameter_table.hpp"
#include "solvers/methods.hpp"
#include "solvers/sde_methods.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <limits>

namespace dynfit::ui {

namespace {

QLineEdit* numberEdit(double value, QWidget* parent, double lowest = 0.0) {
    auto* edit = new QLineEdit(QString::number(value, 'g', 6), parent);
    auto* validator = new QDoubleValidator(lowest, 1e300, 14, edit);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    edit->setValidator(validator);
    return edit;
}

} // namespace

QWidget* MainWindow::buildSettingsPanel() {
    auto* panel = new QWidget(this);
    m_method = new QComboBox(panel);
    m_method->setObjectName("method");
    for (const auto& info : ode::allMethods()) {
        const QString name = QString::fromUtf8(info.name.data(), qsizetype(info.name.size()));
        m_method->addItem(name, name);
        m_method->setItemData(
            m_method->count() - 1,
            QString::fromUtf8(info.summary.data(), qsizetype(info.summary.size())),
            Qt::ToolTipRole);
    }
    m_method->insertSeparator(m_method->count());
    for (const std::string& name : ode::sdeMethodNames()) { // for models with noise lines
        m_method->addItem(QString::fromStdString(name), QString::fromStdString(name));
        m_method->setItemData(m_method->count() - 1, tr("SDE method, for models with noise lines"),
                              Qt::ToolTipRole);
    }
    m_reltol = numberEdit(1e-6, panel);
    m_abstol = numberEdit(1e-8, panel);
    m_gradient = new QComboBox(panel);
    for (const char* name : {"reverse", "forward", "interpolating", "quadrature", "backsolve"}) {
        m_gradient->addItem(name);
    }
    m_optimizer = new QComboBox(panel);
    m_optimizer->setObjectName("optimizer");
    const auto addOptimizer = [this](const QString& label, fit::Optimizer optimizer) {
        m_optimizer->addItem(label,
                             QString::fromStdString(std::string(fit::optimizerName(optimizer))));
    };
    addOptimizer(tr("L-BFGS-B"), fit::Optimizer::Lbfgs);
    addOptimizer(tr("Adam"), fit::Optimizer::Adam);
    addOptimizer(tr("Levenberg–Marquardt"), fit::Optimizer::LevenbergMarquardt);
    m_learningRate = numberEdit(0.05, panel);
    m_learningRate->setObjectName("learningRate");
    m_learningRate->setToolTip(tr("Adam's step, relative to each param's start value (log "
                                  "params: in log units)"));
    m_iterations = new QSpinBox(panel);
    m_iterations->setObjectName("iterations");
    m_iterations->setRange(1, 1000000);
    m_iterations->setValue(200);
    m_device = new QComboBox(panel);
    m_device->addItem(tr("CPU"));
    const auto devices = device::queryDevices();
    m_device->addItem(devices.hasGpu() ? QString::fromStdString(devices.gpus.front().name)
                                       : tr("GPU (unavailable)"));
    if (!devices.hasGpu()) {
        auto* items = qobject_cast<QStandardItemModel*>(m_device->model());
        items->item(1)->setEnabled(false);
        items->item(1)->setToolTip(QString::fromStdString(devices.reason));
    }

    m_trajectories = new QSpinBox(panel);
    m_trajectories->setObjectName("trajectories");
    m_trajectories->setRange(2, 1000000);
    m_trajectories->setValue(int(project::FitSettings{}.trajectories));
    m_trajectories->setToolTip(tr("Models with noise: the trajectories of the moments loss; the "
                                  "plot draws up to 500 of them (mean, 5–95 % band, 3 paths)"));
    m_noiseSeed = new QSpinBox(panel);
    m_noiseSeed->setObjectName("noiseSeed");
    m_noiseSeed->setRange(0, std::numeric_limits<int>::max());
    m_noiseSeed->setToolTip(tr("Models with noise: the seed of the Brownian paths (common to "
                               "every iteration of a fit, so its loss is deterministic)"));
    m_sdeLoss = new QComboBox(panel);
    m_sdeLoss->setObjectName("sdeLoss");
    m_sdeLoss->addItem(tr("Pathwise (one path)"), "pathwise");
    m_sdeLoss->addItem(tr("Moments (mean and variance)"), "moments");
    m_sdeLoss->setToolTip(tr("Pathwise: least squares on one path (drift only). Moments: the "
                             "replicates against the ensemble's mean and variance, so the noise "
                             "amplitude is fitted too"));
    auto* noise = new QHBoxLayout;
    noise->addWidget(m_trajectories);
    noise->addWidget(new QLabel(tr("seed"), panel));
    noise->addWidget(m_noiseSeed);
    auto* form = new QFormLayout;
    form->addRow(tr("Solver"), m_method);
    form->addRow(tr("Relative tolerance"), m_reltol);
    form->addRow(tr("Absolute tolerance"), m_abstol);
    m_t0 = numberEdit(0.0, panel, -1e300);
    m_t1 = numberEdit(0.0, panel, -1e300);
    m_t0->setObjectName("t0");
    m_t1->setObjectName("t1");
    auto* span = new QHBoxLayout;
    for (QLineEdit* end : {m_t0, m_t1}) {
        end->clear();
        end->setPlaceholderText(tr("model's"));
        end->setToolTip(tr("Leave both empty for the model's own tspan"));
        span->addWidget(end);
        if (end == m_t0) {
            span->addWidget(new QLabel(tr("to"), panel));
        }
    }
    form->addRow(tr("Time span"), span);
    m_points = new QSpinBox(panel);
    m_points->setObjectName("points");
    m_points->setRange(project::ViewSettings::kMinPoints, project::ViewSettings::kMaxPoints);
    m_points->setValue(project::ViewSettings{}.points);
    m_points->setToolTip(tr("Points of the drawn prediction (fits use the data times)"));
    form->addRow(tr("Plot points"), m_points);
    form->addRow(tr("Gradient"), m_gradient);
    form->addRow(tr("Optimiser"), m_optimizer);
    form->addRow(tr("Learning rate"), m_learningRate);
    form->addRow(tr("Iterations"), m_iterations);
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("Trajectories"), noise);
    form->addRow(tr("SDE loss"), m_sdeLoss);

    m_simulate = new QPushButton(tr("Simulate"), panel);
    m_fit = new QPushButton(tr("Fit"), panel);
    m_fit->setDefault(true);
    m_pause = new QPushButton(tr("Pause"), panel);
    m_stop = new QPushButton(tr("Stop"), panel);
    m_apply = new QPushButton(tr("Apply fitted values"), panel);
    m_apply->setObjectName("apply");
    m_discard = new QPushButton(tr("Discard"), panel);
    m_discard->setObjectName("discard");
    m_discard->setToolTip(tr("Draw the model's own values again (the fitted ones stay in the "
                             "table until the next fit)"));
    connect(m_simulate, &QPushButton::clicked, this, &MainWindow::simulate);
    connect(m_fit, &QPushButton::clicked, this, &MainWindow::startFit);
    connect(m_pause, &QPushButton::clicked, this, &MainWindow::togglePause);
    connect(m_stop, &QPushButton::clicked, this, &MainWindow::stopFit);
    connect(m_apply, &QPushButton::clicked, this, &MainWindow::applyFitted);
    connect(m_discard, &QPushButton::clicked, this, &MainWindow::discardFitted);
    for (QSpinBox* box : {m_trajectories, m_noiseSeed}) {
        connect(box, &QSpinBox::editingFinished, this, [this] {
            settingsEdited();
            simulate();
        });
    }
    for (QComboBox* box : {m_method, m_gradient, m_optimizer, m_sdeLoss}) {
        connect(box, &QComboBox::currentIndexChanged, this, &MainWindow::settingsEdited);
    }
    for (QLineEdit* edit : {m_reltol, m_abstol, m_learningRate}) {
        connect(edit, &QLineEdit::editingFinished, this, &MainWindow::settingsEdited);
    }
    for (QLineEdit* end : {m_t0, m_t1}) {
        connect(end, &QLineEdit::editingFinished, this, [this] {
            settingsEdited();
            simulate();
        });
    }
    connect(m_iterations, &QSpinBox::valueChanged, this, &MainWindow::settingsEdited);
    connect(m_points, &QSpinBox::editingFinished, this, [this] {
        settingsEdited();
        simulate();
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, &MainWindow::simulate);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_simulate);
    buttons->addWidget(m_fit);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);

    m_parameterView->setModel(m_parameters);
    m_parameterView->setObjectName("parameterView");
    m_parameterView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_parameterView->horizontalHeader()->setStretchLastSection(true);
    m_parameterView->verticalHeader()->hide();
    m_parameterView->setAlternatingRowColors(true);
    m_parameterView->setEditTriggers(QAbstractItemView::DoubleClicked
                                     | QAbstractItemView::EditKeyPressed
                                     | QAbstractItemView::AnyKeyPressed);

    auto* applyRow = new QHBoxLayout;
    applyRow->addWidget(m_apply, 1);
    applyRow->addWidget(m_discard);
    auto* layout = new QVBoxLayout(panel);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_parameterView, 1);
    layout->addLayout(applyRow);
    panel->setMinimumWidth(380);
    return panel;
}

// The project's data sets read and matched to the model, once per change of either.

} // namespace dynfit::ui

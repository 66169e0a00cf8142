// SPDX-License-Identifier: GPL-3.0-or-later
// Prometheus text rendering of kt::Metrics.
#include "server/metrics.h"

#include <QtTest>

using kt::Metrics;

class TstMetrics : public QObject
{
    Q_OBJECT
private slots:
    void standardFamiliesHaveHelpAndType();
    void webhookResultsStartAtZero();
    void countersWithLabels();
    void labelValuesAreEscaped();
    void gauges();
    void histogramBucketsAreCumulative();
    void histogramWithLabels();
    void typeMismatchIsIgnored();
    void invalidNamesAreRefused();
    void engineShorthands();
};

void TstMetrics::standardFamiliesHaveHelpAndType()
{
    const QByteArray text = Metrics().render();
    for (const char *name : {Metrics::WebhooksTotal, Metrics::CallsTotal, Metrics::CommandsTotal,
                             Metrics::HttpResponsesTotal}) {
        QVERIFY2(text.contains("# HELP " + QByteArray(name) + ' '), name);
        QVERIFY2(text.contains("# TYPE " + QByteArray(name) + " counter\n"), name);
    }
    QVERIFY(text.contains("# TYPE kevantel_decision_latency_seconds histogram\n"));
    QVERIFY(text.contains("# TYPE kevantel_http_connections_open gauge\n"));
    QVERIFY(text.endsWith('\n'));
}

void TstMetrics::webhookResultsStartAtZero()
{
    const QByteArray text = Metrics().render();
    QVERIFY(text.contains("kevantel_webhooks_total{result=\"stored\"} 0\n"));
    QVERIFY(text.contains("kevantel_webhooks_total{result=\"rate_limited\"} 0\n"));
    QVERIFY(text.contains("kevantel_webhooks_total{result=\"store_failed\"} 0\n"));
}

void TstMetrics::countersWithLabels()
{
    Metrics m;
    m.describe(QStringLiteral("x_total"), Metrics::Type::Counter, QStringLiteral("Things."));
    m.increment(QStringLiteral("x_total"), {{"b", "2"}, {"a", "1"}});
    m.increment(QStringLiteral("x_total"), {{"a", "1"}, {"b", "2"}}, 2);
    m.increment(QStringLiteral("x_total"));
    QCOMPARE(m.value(QStringLiteral("x_total"), {{"a", "1"}, {"b", "2"}}), 3.0);
    QCOMPARE(m.value(QStringLiteral("x_total")), 1.0);
    const QByteArray text = m.render();
    QVERIFY(text.contains("# HELP x_total Things.\n# TYPE x_total counter\n"));
    QVERIFY2(text.contains("x_total{a=\"1\",b=\"2\"} 3\n"), text.constData());
    QVERIFY(text.contains("x_total 1\n"));
    // Counters never go down.
    QTest::ignoreMessage(QtWarningMsg, "Metrics: counter x_total cannot decrease");
    m.increment(QStringLiteral("x_total"), {}, -5);
    QCOMPARE(m.value(QStringLiteral("x_total")), 1.0);
}

void TstMetrics::labelValuesAreEscaped()
{
    Metrics m;
    m.increment(QStringLiteral("esc_total"), {{"v", "a\"b\\c\nd"}});
    QVERIFY(m.render().contains("esc_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

void TstMetrics::gauges()
{
    Metrics m;
    m.setGauge(QStringLiteral("queue_depth"), 5);
    m.setGauge(QStringLiteral("queue_depth"), 2.5);
    m.addToGauge(QStringLiteral("queue_depth"), -1);
    QCOMPARE(m.value(QStringLiteral("queue_depth")), 1.5);
    const QByteArray text = m.render();
    QVERIFY(text.contains("# TYPE queue_depth gauge\nqueue_depth 1.5\n"));
}

void TstMetrics::histogramBucketsAreCumulative()
{
    Metrics m;
    m.describe(QStringLiteral("lat_seconds"), Metrics::Type::Histogram, QStringLiteral("L."),
               {1, 0.1, 0.01});
    m.observe(QStringLiteral("lat_seconds"), 0.005);
    m.observe(QStringLiteral("lat_seconds"), 0.01); // on the bound: in that bucket
    m.observe(QStringLiteral("lat_seconds"), 0.5);
    m.observe(QStringLiteral("lat_seconds"), 7);
    const QByteArray text = m.render();
    QVERIFY2(text.contains("lat_seconds_bucket{le=\"0.01\"} 2\n"
                           "lat_seconds_bucket{le=\"0.1\"} 2\n"
                           "lat_seconds_bucket{le=\"1\"} 3\n"
                           "lat_seconds_bucket{le=\"+Inf\"} 4\n"
                           "lat_seconds_sum 7.515\n"
                           "lat_seconds_count 4\n"),
             text.constData());
    QCOMPARE(m.value(QStringLiteral("lat_seconds")), 4.0);
    QCOMPARE(m.histogramSum(QStringLiteral("lat_seconds")), 7.515);
}

void TstMetrics::histogramWithLabels()
{
    Metrics m;
    m.observe(QStringLiteral("h_seconds"), 0.0004, {{"kind", "x"}});
    const QByteArray text = m.render();
    // Default buckets when not described; `le` comes after the series' own labels.
    QVERIFY2(text.contains("h_seconds_bucket{kind=\"x\",le=\"0.0005\"} 1\n"), text.constData());
    QVERIFY(text.contains("h_seconds_bucket{kind=\"x\",le=\"1\"} 1\n"));
    QVERIFY(text.contains("h_seconds_count{kind=\"x\"} 1\n"));
}

void TstMetrics::typeMismatchIsIgnored()
{
    Metrics m;
    m.increment(QStringLiteral("c_total"));
    QTest::ignoreMessage(QtWarningMsg, "Metrics: c_total is a counter, not a gauge");
    m.setGauge(QStringLiteral("c_total"), 10);
    QCOMPARE(m.value(QStringLiteral("c_total")), 1.0);
    QVERIFY(!m.render().contains("# TYPE c_total gauge"));
}

void TstMetrics::invalidNamesAreRefused()
{
    Metrics m;
    QTest::ignoreMessage(QtWarningMsg, "Metrics: invalid metric name bad-name");
    m.increment(QStringLiteral("bad-name"));
    QVERIFY(!m.has(QStringLiteral("bad-name")));
    QTest::ignoreMessage(QtWarningMsg, "Metrics: invalid label name le on h2_seconds");
    m.observe(QStringLiteral("h2_seconds"), 1, {{"le", "x"}});
    QCOMPARE(m.value(QStringLiteral("h2_seconds"), {{"le", "x"}}), 0.0);
}

void TstMetrics::engineShorthands()
{
    Metrics m;
    m.countWebhook(QStringLiteral("stored"));
    m.countCall(QStringLiteral("blocked"));
    m.countCommand(QStringLiteral("answer"), QStringLiteral("ok"));
    m.observeDecisionLatency(0.002);
    const QByteArray text = m.render();
    QVERIFY(text.contains("kevantel_webhooks_total{result=\"stored\"} 1\n"));
    QVERIFY(text.contains("kevantel_calls_total{decision=\"blocked\"} 1\n"));
    QVERIFY(text.contains("kevantel_commands_total{command=\"answer\",result=\"ok\"} 1\n"));
    QVERIFY(text.contains("kevantel_decision_latency_seconds_bucket{le=\"0.001\"} 0\n"));
    QVERIFY(text.contains("kevantel_decision_latency_seconds_bucket{le=\"0.0025\"} 1\n"));
    QVERIFY(text.contains("kevantel_decision_latency_seconds_count 1\n"));
}

QTEST_GUILESS_MAIN(TstMetrics)
#include "tst_metrics.moc"

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace kt {

// Counters, gauges and histograms with labels, rendered in the Prometheus text exposition
// format 0.0.4 (GET /metrics). Thread-confined: use it from the thread that owns the server.
//
// The kevantel_* families below are registered up front so that they show HELP and TYPE
// before their first sample. A name used without describe() is registered on first use
// (counter for increment(), gauge for setGauge(), histogram with defaultBuckets() for
// observe()). Using a name as another type than registered is ignored with a warning.
class Metrics
{
public:
    using Labels = QMap<QString, QString>;
    enum class Type { Counter, Gauge, Histogram };

    // The product's families.
    static constexpr const char *WebhooksTotal = "kevantel_webhooks_total"; // {result}
    static constexpr const char *CallsTotal = "kevantel_calls_total";       // {decision}
    static constexpr const char *CommandsTotal = "kevantel_commands_total"; // {command,result}
    static constexpr const char *DecisionLatency = "kevantel_decision_latency_seconds";
    static constexpr const char *HttpResponsesTotal = "kevantel_http_responses_total"; // {code}
    static constexpr const char *HttpRejectedTotal = "kevantel_http_rejected_total";   // {reason}
    static constexpr const char *HttpConnectionsTotal =
        "kevantel_http_connections_total"; // {result=accepted|refused|evicted}
    static constexpr const char *HttpConnectionsOpen = "kevantel_http_connections_open";

    Metrics();

    // Registers (or re-describes) a family. Histogram buckets are upper bounds, sorted here.
    void describe(const QString &name, Type type, const QString &help,
                  const QList<double> &buckets = {});
    bool has(const QString &name) const { return m_families.contains(name); }

    void increment(const QString &name, const Labels &labels = {}, double by = 1);
    void setGauge(const QString &name, double value, const Labels &labels = {});
    void addToGauge(const QString &name, double delta, const Labels &labels = {});
    void observe(const QString &name, double value, const Labels &labels = {});

    // A counter's or gauge's value, a histogram's sample count; 0 when absent.
    double value(const QString &name, const Labels &labels = {}) const;
    double histogramSum(const QString &name, const Labels &labels = {}) const;

    // The whole exposition, families sorted by name.
    QByteArray render() const;
    static QByteArray contentType() { return "text/plain; version=0.0.4; charset=utf-8"; }

    // Shorthands for the product's families.
    void countWebhook(const QString &result) { increment(WebhooksTotal, {{"result", result}}); }
    void countCall(const QString &decision) { increment(CallsTotal, {{"decision", decision}}); }
    void countCommand(const QString &command, const QString &result)
    {
        increment(CommandsTotal, {{"command", command}, {"result", result}});
    }
    void observeDecisionLatency(double seconds) { observe(DecisionLatency, seconds); }

    // 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1 (seconds).
    static QList<double> defaultBuckets();
    // The results kevantel_webhooks_total is initialised with (at 0).
    static QStringList webhookResults();

private:
    struct Series
    {
        Labels labels;
        double value = 0;            // counter, gauge
        QList<quint64> bucketCounts; // histogram, per bucket (not cumulative)
        double sum = 0;
        quint64 count = 0;
    };
    struct Family
    {
        Type type = Type::Counter;
        QString help;
        QList<double> buckets;
        QMap<QString, Series> series; // by rendered label set
    };

    Family *family(const QString &name, Type type);
    Series &series(Family &family, const Labels &labels);
    const Series *findSeries(const QString &name, const Labels &labels) const;

    QMap<QString, Family> m_families;
};

} // namespace kt

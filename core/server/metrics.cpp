// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics.h"

#include <QLocale>
#include <QRegularExpression>
#include <QtDebug>

#include <algorithm>
#include <cmath>

namespace kt {
namespace {
bool validName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    return re.match(name).hasMatch();
}

bool validLabelName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    return re.match(name).hasMatch() && !name.startsWith(QLatin1String("__"));
}

QString escapeLabelValue(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (QChar c : value) {
        if (c == QLatin1Char('\\'))
            out += QLatin1String("\\\\");
        else if (c == QLatin1Char('"'))
            out += QLatin1String("\\\"");
        else if (c == QLatin1Char('\n'))
            out += QLatin1String("\\n");
        else
            out += c;
    }
    return out;
}

QString escapeHelp(const QString &help)
{
    QString out = help;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return out;
}

QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return QString::number(qint64(v));
    // Shortest round-trip digits, without exponent for ordinary magnitudes (0.0005, not 5e-04).
    return QString::number(v, std::fabs(v) >= 1e15 || std::fabs(v) < 1e-9 ? 'g' : 'f',
                           QLocale::FloatingPointShortest);
}

// `a="1",b="2"` in label-name order (Labels is a sorted map), plus an optional extra pair last.
QString renderLabels(const Metrics::Labels &labels, const QString &extraName = {},
                     const QString &extraValue = {})
{
    QStringList parts;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        parts << it.key() + QLatin1String("=\"") + escapeLabelValue(it.value()) + QLatin1Char('"');
    if (!extraName.isEmpty())
        parts << extraName + QLatin1String("=\"") + escapeLabelValue(extraValue) + QLatin1Char('"');
    return parts.join(QLatin1Char(','));
}

QString sample(const QString &name, const QString &labels, double value)
{
    QString line = name;
    if (!labels.isEmpty())
        line += QLatin1Char('{') + labels + QLatin1Char('}');
    return line + QLatin1Char(' ') + number(value) + QLatin1Char('\n');
}

const char *typeName(Metrics::Type type)
{
    switch (type) {
    case Metrics::Type::Counter:
        return "counter";
    case Metrics::Type::Gauge:
        return "gauge";
    case Metrics::Type::Histogram:
        return "histogram";
    }
    return "untyped";
}
} // namespace

Metrics::Metrics()
{
    describe(QLatin1String(WebhooksTotal), Type::Counter,
             QStringLiteral("Webhook requests on POST /webhooks/telnyx by result."));
    for (const QString &result : webhookResults())
        increment(QLatin1String(WebhooksTotal), {{QStringLiteral("result"), result}}, 0);
    describe(QLatin1String(CallsTotal), Type::Counter,
             QStringLiteral("Screening decisions for incoming calls by decision."));
    describe(QLatin1String(CommandsTotal), Type::Counter,
             QStringLiteral("Call Control commands sent to Telnyx by command and result."));
    describe(QLatin1String(DecisionLatency), Type::Histogram,
             QStringLiteral("Seconds from receiving call.initiated to the screening decision."),
             defaultBuckets());
    describe(QLatin1String(HttpResponsesTotal), Type::Counter,
             QStringLiteral("HTTP answers of the webhook server by status code."));
    describe(QLatin1String(HttpRejectedTotal), Type::Counter,
             QStringLiteral("Requests and connections the webhook server refused or cut by "
                            "reason (limits and timeouts)."));
    describe(QLatin1String(HttpConnectionsTotal), Type::Counter,
             QStringLiteral("TCP connections to the webhook server by outcome."));
    describe(QLatin1String(HttpConnectionsOpen), Type::Gauge,
             QStringLiteral("Open TCP connections to the webhook server."));
    setGauge(QLatin1String(HttpConnectionsOpen), 0);
}

QList<double> Metrics::defaultBuckets()
{
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
}

QStringList Metrics::webhookResults()
{
    return {QStringLiteral("stored"),
            QStringLiteral("duplicate"),
            QStringLiteral("missing_signature"),
            QStringLiteral("missing_timestamp"),
            QStringLiteral("bad_timestamp"),
            QStringLiteral("stale_timestamp"),
            QStringLiteral("bad_signature"),
            QStringLiteral("bad_request"),
            QStringLiteral("too_large"),
            QStringLiteral("rate_limited"),
            QStringLiteral("store_failed")};
}

void Metrics::describe(const QString &name, Type type, const QString &help,
                       const QList<double> &buckets)
{
    if (!validName(name)) {
        qWarning("Metrics: invalid metric name %s", qPrintable(name));
        return;
    }
    Family &f = m_families[name];
    if (f.type != type)
        f.series.clear();
    f.type = type;
    f.help = help;
    if (type == Type::Histogram) {
        QList<double> sorted = buckets.isEmpty() ? defaultBuckets() : buckets;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        sorted.removeIf([](double b) { return std::isinf(b) || std::isnan(b); });
        if (sorted != f.buckets)
            f.series.clear();
        f.buckets = sorted;
    }
}

Metrics::Family *Metrics::family(const QString &name, Type type)
{
    auto it = m_families.find(name);
    if (it == m_families.end()) {
        if (!validName(name)) {
            qWarning("Metrics: invalid metric name %s", qPrintable(name));
            return nullptr;
        }
        describe(name, type, QString());
        it = m_families.find(name);
    }
    if (it->type != type) {
        qWarning("Metrics: %s is a %s, not a %s", qPrintable(name), typeName(it->type),
                 typeName(type));
        return nullptr;
    }
    return &*it;
}

Metrics::Series &Metrics::series(Family &family, const Labels &labels)
{
    const QString key = renderLabels(labels);
    auto it = family.series.find(key);
    if (it == family.series.end()) {
        Series s;
        s.labels = labels;
        if (family.type == Type::Histogram)
            s.bucketCounts = QList<quint64>(family.buckets.size(), 0);
        it = family.series.insert(key, s);
    }
    return *it;
}

static bool validLabels(const Metrics::Labels &labels, const QString &name)
{
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        if (!validLabelName(it.key()) || it.key() == QLatin1String("le")) {
            qWarning("Metrics: invalid label name %s on %s", qPrintable(it.key()),
                     qPrintable(name));
            return false;
        }
    }
    return true;
}

void Metrics::increment(const QString &name, const Labels &labels, double by)
{
    if (by < 0 || std::isnan(by)) {
        qWarning("Metrics: counter %s cannot decrease", qPrintable(name));
        return;
    }
    Family *f = family(name, Type::Counter);
    if (!f || !validLabels(labels, name))
        return;
    series(*f, labels).value += by;
}

void Metrics::setGauge(const QString &name, double value, const Labels &labels)
{
    Family *f = family(name, Type::Gauge);
    if (!f || !validLabels(labels, name))
        return;
    series(*f, labels).value = value;
}

void Metrics::addToGauge(const QString &name, double delta, const Labels &labels)
{
    Family *f = family(name, Type::Gauge);
    if (!f || !validLabels(labels, name))
        return;
    series(*f, labels).value += delta;
}

void Metrics::observe(const QString &name, double value, const Labels &labels)
{
    if (std::isnan(value))
        return;
    Family *f = family(name, Type::Histogram);
    if (!f || !validLabels(labels, name))
        return;
    Series &s = series(*f, labels);
    for (int i = 0; i < f->buckets.size(); ++i) {
        if (value <= f->buckets.at(i)) {
            ++s.bucketCounts[i];
            break;
        }
    }
    s.sum += value;
    ++s.count;
}

const Metrics::Series *Metrics::findSeries(const QString &name, const Labels &labels) const
{
    auto f = m_families.constFind(name);
    if (f == m_families.cend())
        return nullptr;
    auto s = f->series.constFind(renderLabels(labels));
    return s == f->series.cend() ? nullptr : &*s;
}

double Metrics::value(const QString &name, const Labels &labels) const
{
    const Series *s = findSeries(name, labels);
    if (!s)
        return 0;
    return m_families.value(name).type == Type::Histogram ? double(s->count) : s->value;
}

double Metrics::histogramSum(const QString &name, const Labels &labels) const
{
    const Series *s = findSeries(name, labels);
    return s ? s->sum : 0;
}

QByteArray Metrics::render() const
{
    QString out;
    for (auto f = m_families.cbegin(); f != m_families.cend(); ++f) {
        const QString &name = f.key();
        if (!f->help.isEmpty())
            out += QLatin1String("# HELP ") + name + QLatin1Char(' ') + escapeHelp(f->help) +
                   QLatin1Char('\n');
        out += QLatin1String("# TYPE ") + name + QLatin1Char(' ') +
               QLatin1String(typeName(f->type)) + QLatin1Char('\n');
        for (const Series &s : f->series) {
            if (f->type != Type::Histogram) {
                out += sample(name, renderLabels(s.labels), s.value);
                continue;
            }
            quint64 cumulative = 0;
            for (int i = 0; i < f->buckets.size(); ++i) {
                cumulative += s.bucketCounts.value(i);
                out +=
                    sample(name + QLatin1String("_bucket"),
                           renderLabels(s.labels, QStringLiteral("le"), number(f->buckets.at(i))),
                           double(cumulative));
            }
            out += sample(name + QLatin1String("_bucket"),
                          renderLabels(s.labels, QStringLiteral("le"), QStringLiteral("+Inf")),
                          double(s.count));
            out += sample(name + QLatin1String("_sum"), renderLabels(s.labels), s.sum);
            out += sample(name + QLatin1String("_count"), renderLabels(s.labels), double(s.count));
        }
    }
    return out.toUtf8();
}

} // namespace kt

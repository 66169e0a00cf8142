// SPDX-License-Identifier: GPL-3.0-or-later
#include "output.h"

#include <QJsonDocument>

#include <cstdio>

namespace kt {
namespace {
// Caller IDs and names are hostile input: never let control characters reach a terminal.
QString printable(QString text)
{
    for (QChar &c : text) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            c = QChar(0xFFFD);
    }
    return text;
}

void write(FILE *to, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), to);
    std::fputc('\n', to);
    std::fflush(to);
}
} // namespace

void Output::json(const QJsonArray &rows)
{
    const QByteArray bytes = QJsonDocument(rows).toJson(QJsonDocument::Indented);
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void Output::table(const QStringList &header, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QString &h : header)
        widths.append(h.size());
    QList<QStringList> clean;
    for (const QStringList &row : rows) {
        QStringList r;
        for (int i = 0; i < row.size(); ++i) {
            r.append(printable(row.at(i)));
            if (i < widths.size())
                widths[i] = qMax(widths[i], qMin(r.last().size(), 60));
        }
        clean.append(r);
    }
    auto format = [&widths](const QStringList &cells) {
        QString line;
        for (int i = 0; i < cells.size(); ++i) {
            const bool last = i == cells.size() - 1;
            line += last ? cells.at(i)
                         : cells.at(i).leftJustified(widths.value(i), QLatin1Char(' '), true) +
                               QStringLiteral("  ");
        }
        return line.trimmed();
    };
    write(stdout, format(header));
    for (const QStringList &r : clean)
        write(stdout, format(r));
}

void Output::line(const QString &text)
{
    write(stdout, printable(text));
}

void Output::error(const QString &text)
{
    write(stderr, QStringLiteral("kevan-tel: ") + printable(text).simplified());
}

} // namespace kt

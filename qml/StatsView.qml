// SPDX-License-Identifier: GPL-3.0-or-later
// Stats: the calls of the last 30 days, per day and decision (a stacked bar chart drawn with
// plain rectangles), how many were turned away, and the numbers called most.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property StatsModel stats

    // Bottom first, as the bars stack.
    // CallDecision.Unknown: the "other" calls (not decided, or a decision this build does not know).
    readonly property var stack: [CallDecision.Authenticated, CallDecision.Allowlisted, CallDecision.Ask,
        CallDecision.Voicemail, CallDecision.Rejected, CallDecision.Blocked, CallDecision.Unknown]
    readonly property int axisMax: view.niceMax(view.stats.maxDayTotal)

    // The top of the axis: at least `value`, four whole steps of 1, 2, 3, 4, 5, 6, 8, 10, 20, …
    function niceMax(value) {
        const raw = Math.max(1, Math.ceil(value / 4));
        const p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
        const steps = [1, 2, 3, 4, 5, 6, 8, 10];
        for (let i = 0; i < steps.length; ++i) {
            if (steps[i] * p >= raw)
                return 4 * steps[i] * p;
        }
        return 40 * p;
    }

    function percent(rate) {
        return Math.round(rate * 100) + " %";
    }

    function colorOf(decision: int): color {
        return decision === CallDecision.Unknown ? "#b8c0bb" : Theme.decisionColor(decision);
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        // The figures.
        RowLayout {
            Layout.fillWidth: true
            spacing: 12
            Repeater {
                model: [
                    { key: "Calls", title: qsTr("Calls"), value: String(view.stats.totalCalls), detail: qsTr("in the last 30 days"), tint: Theme.text },
                    { key: "TurnedAway", title: qsTr("Turned away"), value: view.percent(view.stats.rejectionRate),
                      detail: qsTr("%1 blocked or rejected").arg(view.stats.turnedAway), tint: Theme.danger },
                    { key: "PutThrough", title: qsTr("Put through"),
                      value: String(view.stats.totalCalls - view.stats.turnedAway),
                      detail: qsTr("authenticated, allowed or asked"), tint: Theme.decisionColor(CallDecision.Authenticated) },
                    { key: "BusiestDay", title: qsTr("Busiest day"), value: String(view.stats.maxDayTotal), detail: qsTr("calls in one day"), tint: Theme.accent }
                ]
                delegate: Card {
                    id: figure

                    required property var modelData

                    objectName: "figure" + modelData.key
                    Layout.fillWidth: true
                    implicitHeight: 84
                    ColumnLayout {
                        anchors.fill: parent
                        anchors.margins: 14
                        spacing: 0
                        Label {
                            text: figure.modelData.title
                            textFormat: Text.PlainText
                            font.pixelSize: 12
                            font.bold: true
                            color: Theme.muted
                        }
                        Label {
                            objectName: figure.objectName + "Value"
                            text: figure.modelData.value
                            textFormat: Text.PlainText
                            font.pixelSize: 26
                            font.bold: true
                            color: figure.modelData.tint
                        }
                        Label {
                            Layout.fillWidth: true
                            text: figure.modelData.detail
                            textFormat: Text.PlainText
                            font.pixelSize: 11
                            color: Theme.faint
                            elide: Text.ElideRight
                        }
                    }
                }
            }
        }

        RowLayout {
            id: panels
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 12

            // Calls per day, stacked by decision.
            Card {
                Layout.fillWidth: true
                Layout.fillHeight: true

                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: 16
                    spacing: 10

                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 14
                        Label {
                            text: qsTr("Calls per day")
                            font.pixelSize: 15
                            font.bold: true
                            color: Theme.text
                        }
                        Item { Layout.fillWidth: true }
                        Repeater {
                            model: {
                                const shown = [];
                                for (const total of view.stats.decisionTotals) {
                                    if (total.count > 0)
                                        shown.push(total);
                                }
                                return shown;
                            }
                            delegate: RowLayout {
                                id: legend

                                required property var modelData

                                spacing: 5
                                Rectangle {
                                    implicitWidth: 10
                                    implicitHeight: 10
                                    radius: 2
                                    color: view.colorOf(legend.modelData.kind)
                                }
                                Label {
                                    text: legend.modelData.label + " " + legend.modelData.count
                                    textFormat: Text.PlainText
                                    font.pixelSize: 11
                                    color: Theme.muted
                                }
                            }
                        }
                    }

                    // The chart: grid lines with their values, and one bar per day.
                    Item {
                        id: chart
                        objectName: "dayChart"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.minimumHeight: 150

                        readonly property int axisWidth: 30
                        readonly property int labelHeight: 20
                        readonly property real plotHeight: height - labelHeight
                        readonly property real slot: (width - axisWidth) / Math.max(1, view.stats.count)

                        Repeater {
                            model: 5
                            delegate: Item {
                                id: grid

                                required property int index

                                readonly property real value: view.axisMax * grid.index / 4
                                x: 0
                                y: chart.plotHeight - chart.plotHeight * grid.index / 4
                                width: chart.width
                                Rectangle {
                                    x: chart.axisWidth
                                    width: parent.width - chart.axisWidth
                                    height: 1
                                    color: grid.index === 0 ? "#c9d1cc" : Theme.border
                                }
                                Label {
                                    anchors.verticalCenter: parent.top
                                    width: chart.axisWidth - 6
                                    horizontalAlignment: Text.AlignRight
                                    text: String(grid.value)
                                    textFormat: Text.PlainText
                                    font.pixelSize: 10
                                    color: Theme.faint
                                }
                            }
                        }

                        Repeater {
                            id: bars
                            objectName: "dayBars"
                            model: view.stats
                            delegate: Item {
                                id: bar

                                required property int index
                                required property string dayText
                                required property string dayOfMonth
                                required property int weekday
                                required property bool isToday
                                required property int total
                                required property int authenticated
                                required property int allowlisted
                                required property int ask
                                required property int voicemail
                                required property int rejected
                                required property int blocked
                                required property int other

                                // The calls of the day by CallDecision.
                                readonly property var counts: {
                                    const c = {};
                                    c[CallDecision.Authenticated] = bar.authenticated;
                                    c[CallDecision.Allowlisted] = bar.allowlisted;
                                    c[CallDecision.Ask] = bar.ask;
                                    c[CallDecision.Voicemail] = bar.voicemail;
                                    c[CallDecision.Rejected] = bar.rejected;
                                    c[CallDecision.Blocked] = bar.blocked;
                                    c[CallDecision.Unknown] = bar.other;
                                    return c;
                                }
                                readonly property real unit: chart.plotHeight / Math.max(1, view.axisMax)

                                x: chart.axisWidth + bar.index * chart.slot
                                width: chart.slot
                                height: chart.height

                                Rectangle {
                                    anchors.horizontalCenter: parent.horizontalCenter
                                    width: column.width + 6
                                    height: chart.plotHeight
                                    visible: barMouse.containsMouse
                                    radius: 3
                                    color: Theme.accentSoft
                                }

                                // Segments from the bottom up.
                                Column {
                                    id: column
                                    anchors.horizontalCenter: parent.horizontalCenter
                                    y: chart.plotHeight - height
                                    width: Math.max(3, Math.min(22, chart.slot * 0.68))
                                    Repeater {
                                        model: view.stack.slice().reverse()
                                        delegate: Rectangle {
                                            id: segment

                                            required property int modelData

                                            width: column.width
                                            height: bar.counts[segment.modelData] * bar.unit
                                            color: view.colorOf(segment.modelData)
                                        }
                                    }
                                }

                                Label {
                                    anchors.horizontalCenter: parent.horizontalCenter
                                    y: chart.plotHeight + 4
                                    visible: bar.isToday || bar.weekday === 1
                                    text: bar.isToday ? qsTr("today") : bar.dayOfMonth
                                    textFormat: Text.PlainText
                                    font.pixelSize: 10
                                    font.bold: bar.isToday
                                    color: bar.isToday ? Theme.accent : Theme.faint
                                }

                                MouseArea {
                                    id: barMouse
                                    anchors.fill: parent
                                    hoverEnabled: true
                                }
                                PlainToolTip {
                                    visible: barMouse.containsMouse
                                    text: bar.dayText + ": " + (bar.total === 1 ? qsTr("1 call") : qsTr("%1 calls").arg(bar.total))
                                          + (bar.total > 0 ? "\n" + view.stack.filter(d => bar.counts[d] > 0)
                                                                 .map(d => Labels.tally(d) + " " + bar.counts[d])
                                                                 .join(" · ") : "")
                                }
                            }
                        }

                        Label {
                            anchors.centerIn: parent
                            visible: view.stats.totalCalls === 0
                            text: view.stats.errorString !== "" ? view.stats.errorString : qsTr("No calls in the last 30 days.")
                            textFormat: Text.PlainText
                            color: Theme.faint
                        }
                    }
                }
            }

            // The numbers called most.
            Card {
                Layout.fillHeight: true
                Layout.preferredWidth: Math.max(280, panels.width * 0.34)

                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: 16
                    spacing: 10

                    Label {
                        text: qsTr("Calls per number")
                        font.pixelSize: 15
                        font.bold: true
                        color: Theme.text
                    }

                    ListView {
                        id: numbers
                        objectName: "topNumbers"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        clip: true
                        spacing: 10
                        interactive: contentHeight > height
                        model: view.stats.topNumbers
                        delegate: ColumnLayout {
                            id: number

                            required property var modelData

                            width: numbers.width
                            spacing: 3
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 6
                                Label {
                                    visible: number.modelData.label !== ""
                                    text: number.modelData.label
                                    textFormat: Text.PlainText
                                    font.pixelSize: 13
                                    font.bold: true
                                    color: Theme.text
                                }
                                Label {
                                    Layout.fillWidth: true
                                    text: number.modelData.written
                                    textFormat: Text.PlainText
                                    font.pixelSize: 12
                                    font.bold: number.modelData.label === ""
                                    color: number.modelData.label === "" ? Theme.text : Theme.muted
                                    elide: Text.ElideRight
                                }
                                Label {
                                    text: String(number.modelData.calls)
                                    textFormat: Text.PlainText
                                    font.pixelSize: 13
                                    font.bold: true
                                    color: Theme.text
                                }
                            }
                            // The bar: calls put through, then the ones turned away.
                            Rectangle {
                                Layout.fillWidth: true
                                implicitHeight: 8
                                radius: 4
                                color: "#eef1ef"
                                Rectangle {
                                    id: through
                                    height: parent.height
                                    radius: 4
                                    width: parent.width * (number.modelData.calls - number.modelData.turnedAway)
                                           / Math.max(1, view.stats.maxNumberCalls)
                                    color: Theme.decisionColor(CallDecision.Authenticated)
                                }
                                Rectangle {
                                    x: through.width
                                    height: parent.height
                                    radius: 4
                                    width: parent.width * number.modelData.turnedAway / Math.max(1, view.stats.maxNumberCalls)
                                    color: Theme.decisionColor(CallDecision.Rejected)
                                }
                            }
                            Label {
                                visible: number.modelData.turnedAway > 0
                                text: qsTr("%1 turned away").arg(number.modelData.turnedAway)
                                textFormat: Text.PlainText
                                font.pixelSize: 10
                                color: Theme.faint
                            }
                        }
                        Label {
                            anchors.centerIn: parent
                            visible: numbers.count === 0
                            text: qsTr("No calls yet.")
                            color: Theme.faint
                        }
                    }
                }
            }
        }
    }
}

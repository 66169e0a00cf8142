// SPDX-License-Identifier: GPL-3.0-or-later
// History: every call, newest first, read page by page; filters by text, number, namespace and
// decision (applied by the model, in SQL).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property HistoryModel history
    required property EngineController controller

    readonly property var decisions: ["", "authenticated", "allowlisted", "blocked", "rejected", "ask"]

    // A call was clicked: show its detail.
    signal callOpened(string callId)

    function applyFilters() {
        view.history.textFilter = textField.text;
        view.history.numberFilter = numberField.text;
        view.history.nameSpaceFilter = nameSpaceField.text;
        view.history.decisionFilter = view.decisions[decisionBox.currentIndex];
    }

    Timer {
        id: debounce
        interval: 250
        onTriggered: view.applyFilters()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Card {
            Layout.fillWidth: true
            implicitHeight: filters.implicitHeight + 24
            RowLayout {
                id: filters
                anchors.fill: parent
                anchors.margins: 12
                spacing: 10
                InputField {
                    id: textField
                    objectName: "historyText"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 3
                    placeholderText: qsTr("Search calls: name, reason, state…")
                    onTextEdited: debounce.restart()
                }
                InputField {
                    id: numberField
                    objectName: "historyNumber"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 2
                    placeholderText: qsTr("Number")
                    inputMethodHints: Qt.ImhDialableCharactersOnly
                    onTextEdited: debounce.restart()
                }
                InputField {
                    id: nameSpaceField
                    objectName: "historyNamespace"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 2
                    placeholderText: qsTr("Namespace")
                    onTextEdited: debounce.restart()
                }
                SelectBox {
                    id: decisionBox
                    objectName: "historyDecision"
                    Layout.preferredWidth: 170
                    // The first choice, no decision, is any.
                    model: view.decisions.map((d, i) => i === 0 ? qsTr("Any decision") : Labels.decision(d))
                    onActivated: view.applyFilters()
                }
                ActionButton {
                    text: qsTr("Clear")
                    filled: false
                    enabled: textField.text !== "" || numberField.text !== "" || nameSpaceField.text !== ""
                             || decisionBox.currentIndex !== 0
                    onClicked: {
                        textField.clear();
                        numberField.clear();
                        nameSpaceField.clear();
                        decisionBox.currentIndex = 0;
                        view.history.clearFilters();
                    }
                }
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            text: qsTr("Calls")
            detail: view.history.count + (view.history.hasMore ? "+" : "")
                    + (view.history.errorString !== "" ? "  ·  " + view.history.errorString : "")
        }

        ListView {
            id: list
            objectName: "historyList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 8
            model: view.history
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            // One Tab stop, its rows by Up and Down (CallRow).
            activeFocusOnTab: list.count > 0
            keyNavigationEnabled: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Calls")
            onAtYEndChanged: if (list.atYEnd && view.history.hasMore) view.history.loadMore()
            delegate: CallRow {
                id: historyRow
                width: list.width - 12
                controller: view.controller
                onOpened: view.callOpened(historyRow.callId)
            }
            EmptyState {
                anchors.top: parent.top
                width: parent.width - 12
                visible: list.count === 0
                title: qsTr("No calls match")
                detail: qsTr("Calls appear here once Telnyx sends them; change or clear the filters to see more.")
            }
        }

        ActionButton {
            Layout.alignment: Qt.AlignHCenter
            visible: view.history.hasMore
            filled: false
            text: qsTr("Load older calls")
            onClicked: view.history.loadMore()
        }
    }
}

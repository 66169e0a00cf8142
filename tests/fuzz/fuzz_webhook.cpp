// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the webhook path, signature check then parsing. Half of the inputs are
// signed with the test key so that the parser behind a valid signature is reached too.
#include "telnyx/ed25519.h"
#include "telnyx/telnyxtime.h"
#include "telnyx/webhookevent.h"
#include "telnyx/webhooksignature.h"

#include <cstddef>
#include <cstdint>

namespace {
const QByteArray seed = QByteArray::fromBase64("i1xxSkIuQOY9H8laaRslIoYGTJ1NwBAFdjsQwiwJH04=");
const kt::WebhookSigner signer(seed);
const kt::WebhookVerifier verifier(kt::Ed25519::publicKeyOf(seed));
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const QByteArray timestamp = "1700000000";
    QByteArray body = input;
    QByteArray signature;
    if (data[0] & 1) {
        signature = signer.sign(timestamp, body);
    } else {
        // Attacker-chosen signature header: everything up to the first newline.
        const qsizetype nl = input.indexOf('\n');
        signature = nl < 0 ? input : input.left(nl);
        body = nl < 0 ? QByteArray() : input.mid(nl + 1);
    }
    const auto result = verifier.verify(timestamp, signature, body, 1700000000);
    if ((data[0] & 1) && result != kt::WebhookVerifier::Result::Valid)
        __builtin_trap(); // our own signature must always verify
    if (result == kt::WebhookVerifier::Result::Valid) {
        if (const auto event = kt::WebhookEvent::parse(body)) {
            int micros = 0;
            kt::parseTelnyxTime(event->occurredAtText, &micros);
            (void)event->payload.decodedClientState();
        }
    }
    return 0;
}

"""What an SMTP client's error says of the mail it was sending.

smtplib's `SMTPRecipientsRefused` holds every refused recipient (`{address: (code, reply)}`, its
text shows them all), `SMTPSenderRefused` the envelope sender: caught around a send whose
addresses carry personal data (`smtp.sendmail(sender, recipients, msg)`) and logged (`except
SMTPRecipientsRefused as error: log.error("refused: %s", error)`), the error writes them. The
send is found in the `try` body by its method ([pii.flow] mail-send-methods); which errors name
addresses is data ([pii.flow] address-errors). An error caught around a send to addresses that
carry nothing (the site's own `settings.ADMINS`) carries nothing, and neither does
`SMTPResponseException`, whose text is the server's reply.
"""

from __future__ import annotations

from gdpr_lint._lazy import cst
from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.analysis.url_errors import _calls, handler_catches


def caught_address_taint(ctx, try_stmt, handler) -> Taint:
    """The personal data the error caught by `handler` names of the mail its `try` sent."""
    vocab = ctx.vocab
    if not vocab.mail_send_methods or not handler_catches(ctx, handler, vocab.address_errors):
        return EMPTY
    result = EMPTY
    for call in _calls(try_stmt.body):
        func = call.func
        if type(func) is not cst.Attribute or func.attr.value not in vocab.mail_send_methods:
            continue
        # the envelope's addresses: `sendmail(from_addr, to_addrs, msg)`, not the message's body
        for arg in call.args[:2]:
            if not arg.star and ctx.constant(arg.value) is None:  # not the program's own addresses
                result = result.union(ctx.taint(arg.value))
    if not result or handler.name is None or type(handler.name.name) is not cst.Name:
        return result
    return result.through(handler.name.name.value)

"""What the service needs from an SMS provider, whoever answers."""
from typing import Protocol


class SmsGateway(Protocol):
    shows_codes: bool  # True only for the console gateway: no SMS goes out, the code is logged instead

    def send_code(self, phone: str, code: str) -> None:
        """Send a verification code to a mainland phone number; DomainError("sms_unavailable") if it cannot."""

"""When to retry a failed HTTP call."""
import time
from dataclasses import dataclass


def should_retry(status: int, attempt: int, max_attempts: int = 5) -> bool:
    if attempt >= max_attempts:
        return False
    # Don't retry client errors: a 4xx means the request itself is wrong (bad auth, bad
    # payload, unknown id) and will fail the same way again. 429 is the exception: it is a
    # rate limit, so waiting and trying again is exactly what the server asks for.
    if 400 <= status < 500:
        return status == 429
    return status >= 500


@dataclass
class RetryPolicy:
    deadline_s: float = 30.0
    base_delay: float = 0.5

    def run(self, fn, swallow=False):
        start, attempts, delay = time.monotonic(), 0, self.base_delay
        while True:
            attempts += 1
            try:
                fn()
                return attempts
            except (TimeoutError, ConnectionError):
                if time.monotonic() - start + delay > self.deadline_s:
                    if swallow:
                        return attempts
                    raise
                time.sleep(delay)
                delay *= 2

"""HTTP helper used by the fetch workers."""
import random
import time

import requests

from backoff import backoff_delays

RETRYABLE_EXC = (ConnectionResetError, ConnectionAbortedError, TimeoutError,
                 requests.ConnectionError, requests.Timeout)
RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class HttpClient:
    def __init__(self, base_url, max_attempts=5, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.session = requests.Session()

    def get_json(self, path, **params):
        url = f"{self.base_url}/{path.lstrip('/')}"
        for attempt, delay in enumerate(backoff_delays(attempts=self.max_attempts), start=1):
            try:
                resp = self.session.get(url, params=params, timeout=self.timeout)
            except RETRYABLE_EXC:
                if attempt == self.max_attempts:
                    raise
                self.session = requests.Session()  # the old connection is dead
                time.sleep(delay)
                continue
            if resp.status_code in RETRYABLE_STATUS and attempt < self.max_attempts:
                time.sleep(float(resp.headers.get("Retry-After", delay)))
                continue
            resp.raise_for_status()
            return resp.json()

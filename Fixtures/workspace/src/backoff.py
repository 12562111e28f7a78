"""Retry delays: capped exponential backoff with "full jitter".

delay_n = uniform(0, min(cap, base * 2**n)). Full jitter spreads the retries of many clients
that failed at the same moment, so they do not hammer the server again in lock-step.
"""
import random


def backoff_delays(base=0.5, cap=30.0, attempts=6, rng=random):
    for n in range(attempts):
        yield rng.uniform(0, min(cap, base * (2 ** n)))


def decorrelated_jitter(base=0.5, cap=30.0, attempts=6, rng=random):
    """AWS-style variant: each delay depends on the previous one."""
    delay = base
    for _ in range(attempts):
        delay = min(cap, rng.uniform(base, delay * 3))
        yield delay

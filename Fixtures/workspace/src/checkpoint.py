"""Checkpoints for long runs: save every N steps, pick up again after a preemption."""
import os

import torch

from io_utils import atomic_write_json, read_json

CKPT_DIR = os.environ.get("CKPT_DIR", "/scratch/ckpt")


def save_checkpoint(step, model, optimizer, scheduler):
    path = os.path.join(CKPT_DIR, f"step_{step:07d}.pt")
    torch.save({"model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "step": step}, path + ".partial")
    os.replace(path + ".partial", path)
    atomic_write_json(os.path.join(CKPT_DIR, "latest.json"), {"step": step, "path": path})


def load_latest_checkpoint(model, optimizer, scheduler):
    """Return the step to resume from (0 when there is nothing to resume)."""
    meta = read_json(os.path.join(CKPT_DIR, "latest.json"))
    if meta is None:
        return 0
    state = torch.load(meta["path"], map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return state["step"] + 1

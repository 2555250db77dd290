"""Fault injection for the tests of tests/test_faults.py (never used outside them).

A test puts this folder on PYTHONPATH, so every Python process of a sweep it starts (the
driver, the forkserver, the workers) imports this module at start-up.  ``ECSIM_FAULT`` says
what goes wrong, and in which run: ``KIND:SEED:REGIME`` with KIND one of ``exit`` (the
worker calls ``os._exit(3)``), ``segv`` (it receives SIGSEGV), ``kill`` (SIGKILL, as from
the out-of-memory killer) or ``hang`` (the step never returns).  The fault strikes at the
run's third step.
"""

import os

_FAULT = os.environ.get("ECSIM_FAULT")

if _FAULT:
    import signal
    import time

    from ecsim.model.model import EnhancedCooperationModel

    _kind, _seed, _regime = _FAULT.split(":")
    _step = EnhancedCooperationModel.step

    def _faulty_step(self):
        if self.steps == 3 and self.seed_sequence.entropy == int(_seed) and self.regime.name == _regime:
            if _kind == "exit":
                os._exit(3)
            if _kind == "segv":
                os.kill(os.getpid(), signal.SIGSEGV)
            if _kind == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if _kind == "hang":
                while True:
                    time.sleep(1)
        return _step(self)

    EnhancedCooperationModel.step = _faulty_step

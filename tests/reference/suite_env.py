"""suite_env.py - what the check_*.py scripts share to run the C suite beside
the independent references (naive_dsaga.py, naive_methods.py): where the
binary is, the MPI launcher, the environment a run needs (root under Open
MPI, one BLAS thread, the data mirror as the Makefile sets it), and the
median over seeds of (rate, status) results.  Nothing here computes an
algorithm.
"""
import os
import statistics

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def setup():
    """Sets the run environment; returns (exe, mpirun argv prefix)."""
    exe = os.environ.get('EXE', os.path.join(ROOT, 'bin', 'dsaga-bench'))
    mpirun = os.environ.get('MPIRUN', 'mpirun --oversubscribe').split()
    os.environ.setdefault('OMPI_ALLOW_RUN_AS_ROOT', '1')
    os.environ.setdefault('OMPI_ALLOW_RUN_AS_ROOT_CONFIRM', '1')
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
    mirror = os.path.join(ROOT, '..', 'shared', 'datasets')  # as the Makefile does
    if 'DSAGA_DATA_MIRROR' not in os.environ and \
            os.path.exists(os.path.join(mirror, 'MANIFEST.tsv')):
        os.environ['DSAGA_DATA_MIRROR'] = os.path.abspath(mirror)
    return exe, mpirun


def summarise(results):
    """(median rate over the runs that finished with a rate, diverged runs)
    of a list of (rate, status)."""
    rates = [r for r, st in results if st == 'done' and r == r]
    div = sum(1 for _, st in results if st == 'diverged')
    return (statistics.median(rates) if rates else float('nan')), div


def run_rate(cmd, out):
    """Runs one `dsaga-bench run ... --out OUT` command line (a fresh OUT) and
    returns its (rate_per_epoch, status)."""
    import subprocess

    import h5py
    if os.path.exists(out):
        os.unlink(out)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, 'r') as f:
        a = f['runs/000000'].attrs
        st = a['status']
        st = st.decode() if isinstance(st, bytes) else str(st)
        return float(a['rate_per_epoch']), st

# Sourced by the device scripts: the folder whose files come back ($OUT on the device machine), the
# ImageNet weights that travel in .gpu/site, and a filter that turns a progress bar into log lines.
out=${OUT:-runs/device_out}
mkdir -p "$out"
export PYTHONPATH=.:.gpu/site PYTHONUNBUFFERED=1
log_lines() { tr '\r' '\n' | grep -v '^$'; }

# Installed with ct: its man page and shell completion (filled in below).

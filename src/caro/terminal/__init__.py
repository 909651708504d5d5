"""The terminal experience: output and colour, the spinner, the menu, shell history and `caro explain`."""

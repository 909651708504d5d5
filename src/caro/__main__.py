from caro.cli import main

raise SystemExit(main())

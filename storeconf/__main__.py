from storeconf.cli import main

main()
